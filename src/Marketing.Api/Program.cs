using Marketing.Api.Campaigns;
using Marketing.Api.Docs;
using Marketing.Api.Events;
using Marketing.Api.Home;
using Marketing.Api.Operations;
using Marketing.Api.Problems;
using Marketing.Api.Products;
using Marketing.Api.Security;
using Marketing.Api.Users;
using Marketing.Client;

var builder = WebApplication.CreateBuilder(args);
builder.AddMarketingClient();
builder.AddApiProblems();
builder.AddApiSecurity();
builder.AddApiDocs();
builder.AddOperations();
builder.AddHome();
builder.AddEvents();

var app = builder.Build();
app.UseApiProblems();
app.UseApiSecurity();

app.MapHome();
app.MapApiDocs();
app.MapOperations();
app.MapEvents();
app.MapUsers();
app.MapProducts();
app.MapCampaigns();

app.Run();

/// <summary>The gateway's entry point; public so tests can host it with <c>WebApplicationFactory</c>.</summary>
public partial class Program;
