using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Marketing.Api.Tests;

/// <summary>When the cluster fails, callers get a problem they can act on and never a stack trace.</summary>
[Collection(GatewayCollection.Name)]
public sealed class FailureTests(GatewayFixture fixture)
{
    private const string ValidView = """{"eventId":"e1","userId":"u1","type":"view","sku":"s1"}""";

    [Fact]
    public async Task An_unavailable_silo_is_a_503_with_retry_after()
    {
        await using var gateway = new FailingGateway(fixture, new SiloUnavailableException("the silo went away"));
        var client = GatewayFactory.WithKey(gateway.CreateClient(), GatewayFixture.StorefrontKey);

        var response = await client.PostJsonAsync("/events", ValidView);

        var problem = await response.ProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Contains("resending events is safe", problem.GetProperty("detail").GetString());
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task A_timeout_is_a_503()
    {
        await using var gateway = new FailingGateway(fixture, new TimeoutException("no answer"));
        var client = GatewayFactory.WithKey(gateway.CreateClient(), GatewayFixture.StorefrontKey);

        var response = await client.GetAsync("/users/u1");

        await response.ProblemAsync(HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task An_unexpected_failure_is_a_500_without_internals()
    {
        await using var gateway = new FailingGateway(fixture, new InvalidOperationException("secret internal detail"));
        var client = GatewayFactory.WithKey(gateway.CreateClient(), GatewayFixture.StorefrontKey);

        var response = await client.PostJsonAsync("/events", ValidView);

        var problem = await response.ProblemAsync(HttpStatusCode.InternalServerError);
        var text = problem.ToString();
        Assert.DoesNotContain("secret internal detail", text);
        Assert.DoesNotContain("InvalidOperationException", text);
    }

    /// <summary>The gateway with a grain factory whose every grain call fails with the given exception.</summary>
    private sealed class FailingGateway(GatewayFixture fixture, Exception failure) : IAsyncDisposable
    {
        private readonly GatewayFactory _factory = new(fixture);
        private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>? _failing;

        public HttpClient CreateClient()
        {
            _failing = _factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
                services.AddSingleton(Failing.Create<IGrainFactory>(failure))));
            return _failing.CreateClient();
        }

        public async ValueTask DisposeAsync()
        {
            if (_failing is not null)
            {
                await _failing.DisposeAsync();
            }

            await _factory.DisposeAsync();
        }
    }

    /// <summary>A proxy for any interface: methods returning grains return failing grains; the rest throw.</summary>
    public class Failing : DispatchProxy
    {
        private Exception _failure = null!;

        public static T Create<T>(Exception failure) => (T)Create(typeof(T), failure);

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            var returns = targetMethod!.ReturnType;
            if (returns.IsInterface && typeof(IAddressable).IsAssignableFrom(returns))
            {
                return Create(returns, _failure);
            }

            if (returns == typeof(Task))
            {
                return Task.FromException(_failure);
            }

            if (returns.IsGenericType && returns.GetGenericTypeDefinition() == typeof(Task<>))
            {
                var fromException = typeof(Task).GetMethod(nameof(Task.FromException), 1, [typeof(Exception)])!;
                return fromException.MakeGenericMethod(returns.GetGenericArguments()[0]).Invoke(null, [_failure]);
            }

            throw _failure;
        }

        private static object Create(Type type, Exception failure)
        {
            var proxy = (Failing)Create(type, typeof(Failing));
            proxy._failure = failure;
            return proxy;
        }
    }
}
