using Marketing.Silo;

var builder = WebApplication.CreateBuilder(args);
builder.AddMarketingSilo();

var app = builder.Build();
app.MapSiloEndpoints();
app.Run();
