using Marketing.Hosting;
using Marketing.Silo;

// Content root at the binaries, so appsettings.json is found whatever directory the silo is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.UseDefaultUrl("http://127.0.0.1:8081");
builder.AddMarketingSilo();

var app = builder.Build();
app.MapSiloEndpoints();
app.Run();
