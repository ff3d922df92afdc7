using Marketing.Api.Campaigns;
using Marketing.Api.Cluster;
using Marketing.Api.Conversations;
using Marketing.Api.Docs;
using Marketing.Api.Events;
using Marketing.Api.Home;
using Marketing.Api.Operations;
using Marketing.Api.Problems;
using Marketing.Api.Products;
using Marketing.Api.Recommendations;
using Marketing.Api.Search;
using Marketing.Api.Security;
using Marketing.Api.Shoppers;
using Marketing.Client;
using Marketing.Hosting;

// Settings files sit next to the assembly, so `dotnet path/to/Marketing.Api.dll` finds them from any directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.UseDefaultUrl("http://127.0.0.1:8080");
builder.AddMarketingClient();
builder.AddApiProblems();
builder.AddApiSecurity();
builder.AddApiDocs();
builder.AddOperations();
builder.AddHome();
builder.AddEvents();
builder.AddClusterWrites();

var app = builder.Build();
app.UseApiProblems();
app.UseApiSecurity();

app.MapHome();
app.MapApiDocs();
app.MapOperations();
app.MapEvents();
app.MapShoppers();
app.MapProducts();
app.MapSearch();
app.MapRecommendations();
app.MapCampaigns();
app.MapConversations();
app.MapChatPage();

app.Run();

/// <summary>The gateway's entry point; public so tests can host it with <c>WebApplicationFactory</c>.</summary>
public partial class Program;
