using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Messaging;

namespace Marketing.Api.Tests;

/// <summary>When the cluster fails, callers get a problem they can act on and never a stack trace.</summary>
[Collection(GatewayCollection.Name)]
public sealed class FailureTests(GatewayFixture fixture)
{
    private const string ValidView = """{"eventId":"e1","userId":"u1","type":"view","sku":"s1"}""";

    [Fact]
    public async Task A_silo_unreachable_past_the_retry_time_is_a_503_with_retry_after()
    {
        await using var gateway = new FailingGateway(fixture, new SiloUnavailableException("the silo went away"), RetryFor("00:00:00.300"));
        var client = GatewayFactory.WithKey(gateway.CreateClient(), GatewayFixture.StorefrontKey);

        var response = await client.PostJsonAsync("/events", ValidView);

        var problem = await response.ProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Contains("resending events is safe", problem.GetProperty("detail").GetString());
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.True(gateway.Calls > 1, $"the events were sent {gateway.Calls} time(s) before giving up");
    }

    [Fact]
    public async Task Events_whose_silo_cannot_be_reached_for_a_moment_are_sent_again_and_count_once()
    {
        var user = $"retried-{Guid.NewGuid():N}";
        var rejection = new ConnectionFailedException("Unable to connect to the silo");
        await using var gateway = new FailingGateway(fixture, rejection, failFirst: 2);
        var client = GatewayFactory.WithKey(gateway.CreateClient(), GatewayFixture.StorefrontKey);

        var response = await client.PostJsonAsync("/events", $$"""[{"eventId":"r1","userId":"{{user}}","type":"view","sku":"s1"},{"eventId":"r2","userId":"{{user}}","type":"click","sku":"s1"}]""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(3, gateway.Calls);
        var shopper = await fixture.Client(GatewayFixture.StorefrontKey).GetFromJsonAsync<JsonElement>($"/users/{user}");
        Assert.Equal(["click", "view"], shopper.GetProperty("recentEvents").EnumerateArray().Select(e => e.GetProperty("type").GetString()).Order());
    }

    [Fact]
    public async Task A_shoppers_call_too_large_to_be_recognised_when_resent_is_not_sent_again_if_it_may_have_run()
    {
        await using var gateway = new FailingGateway(fixture, new SiloUnavailableException("the silo went away"));
        var client = GatewayFactory.WithKey(gateway.CreateClient(), GatewayFixture.StorefrontKey);
        var nine = string.Join(',', Enumerable.Range(0, 9).Select(i => $$"""{"eventId":"n{{i}}","userId":"u9","type":"view","sku":"s1"}"""));

        var response = await client.PostJsonAsync("/events", $"[{nine}]");

        await response.ProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(1, gateway.Calls);
    }

    [Fact]
    public async Task Events_that_timed_out_are_not_sent_again_since_the_caller_has_waited_long_enough()
    {
        await using var gateway = new FailingGateway(fixture, new TimeoutException("no answer"));
        var client = GatewayFactory.WithKey(gateway.CreateClient(), GatewayFixture.StorefrontKey);

        var response = await client.PostJsonAsync("/events", ValidView);

        await response.ProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(1, gateway.Calls);
    }

    [Fact]
    public async Task Events_left_unanswered_by_a_silo_that_died_holding_them_are_sent_again_and_count_once()
    {
        var user = $"unanswered-{Guid.NewGuid():N}";
        await using var gateway = new FailingGateway(fixture, failure: null, AttemptTimeout("00:00:00.500"), failFirst: 1);
        var client = GatewayFactory.WithKey(gateway.CreateClient(), GatewayFixture.StorefrontKey);

        var response = await client.PostJsonAsync("/events", $$"""[{"eventId":"a1","userId":"{{user}}","type":"view","sku":"s1"},{"eventId":"a2","userId":"{{user}}","type":"click","sku":"s1"}]""");

        // On a busy machine the real call may outlast an attempt too and go a third time: still counted once.
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.True(gateway.Calls >= 2, $"the events were sent {gateway.Calls} time(s)");
        var shopper = await fixture.Client(GatewayFixture.StorefrontKey).GetFromJsonAsync<JsonElement>($"/users/{user}");
        Assert.Equal(["click", "view"], shopper.GetProperty("recentEvents").EnumerateArray().Select(e => e.GetProperty("type").GetString()).Order());
    }

    [Fact]
    public async Task A_shoppers_call_too_large_to_be_recognised_when_resent_is_not_sent_again_when_unanswered()
    {
        var gateway = new FailingGateway(fixture, failure: null, AttemptTimeout("00:00:00.100"));
        var client = GatewayFactory.WithKey(gateway.CreateClient(), GatewayFixture.StorefrontKey);
        var nine = string.Join(',', Enumerable.Range(0, 9).Select(i => $$"""{"eventId":"q{{i}}","userId":"u9q","type":"view","sku":"s1"}"""));

        var post = client.PostJsonAsync("/events", $"[{nine}]");

        // The first attempt reaches the silo (on a busy machine that can take a while), then ten attempt timeouts pass.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (gateway.Calls == 0 && !post.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var first = await Task.WhenAny(post, Task.Delay(TimeSpan.FromSeconds(1)));

        Assert.NotSame(post, first);
        Assert.Equal(1, gateway.Calls);
        await gateway.DisposeAsync();
        await post.WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    [Fact]
    public async Task A_call_of_more_than_eight_events_is_sent_again_once_the_silos_said_their_shoppers_recognise_that_many()
    {
        var user = $"large-resend-{Guid.NewGuid():N}";
        await using var gateway = new FailingGateway(fixture, failure: null, AttemptTimeout("00:00:00.500"), failFirst: 1, passFirst: 1);
        var client = GatewayFactory.WithKey(gateway.CreateClient(), GatewayFixture.StorefrontKey);
        var ten = string.Join(',', Enumerable.Range(1, 10).Select(i => $$"""{"eventId":"w{{i}}","userId":"{{user}}","type":"view","sku":"s1"}"""));

        // The first answer tells the gateway the silos' dedupe window (64 by default), so ten events may go again.
        var first = await client.PostJsonAsync("/events", $$"""{"eventId":"w0","userId":"{{user}}","type":"view","sku":"s1"}""");
        var response = await client.PostJsonAsync("/events", $"[{ten}]").WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.True(gateway.Calls >= 3, $"the shopper was called {gateway.Calls} time(s)");
        var shopper = await fixture.Client(GatewayFixture.StorefrontKey).GetFromJsonAsync<JsonElement>($"/users/{user}");
        Assert.Equal(11, shopper.GetProperty("eventCount").GetInt64());
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
    public async Task A_grain_activation_that_gave_up_is_a_503_not_a_500()
    {
        // What Orleans returns when a shopper's activation outlived its time limit waiting for a crashed silo's tail.
        await using var gateway = new FailingGateway(fixture, new TaskCanceledException("A task was canceled."));
        var client = GatewayFactory.WithKey(gateway.CreateClient(), GatewayFixture.StorefrontKey);

        var response = await client.PostJsonAsync("/events", ValidView);

        var problem = await response.ProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Contains("resending events is safe", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_write_that_lost_to_a_second_activation_is_a_503_to_retry()
    {
        await using var gateway = new FailingGateway(fixture, new Orleans.Storage.InconsistentStateException("ETag mismatch", "stored", "current"));
        var client = GatewayFactory.WithKey(gateway.CreateClient(), GatewayFixture.StorefrontKey);

        var response = await client.GetAsync("/users/u1");

        var problem = await response.ProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Conflicting write", problem.GetProperty("title").GetString());
        Assert.NotNull(response.Headers.RetryAfter);
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

    private static Dictionary<string, string?> RetryFor(string time) => new() { ["Api:Events:UnavailableRetryTime"] = time };

    private static Dictionary<string, string?> AttemptTimeout(string time) => new() { ["Api:Events:AttemptTimeout"] = time };

    /// <summary>
    /// The gateway with a grain factory whose grain calls fail with the given exception (none: are never answered,
    /// as when their silo was killed holding them): every call, or only the first <c>failFirst</c> after the first
    /// <c>passFirst</c>; the others go to the test cluster's real grains.
    /// </summary>
    internal sealed class FailingGateway(GatewayFixture fixture, Exception? failure, IReadOnlyDictionary<string, string?>? settings = null, int failFirst = int.MaxValue, int passFirst = 0)
        : IAsyncDisposable
    {
        private readonly GatewayFactory _factory = new(fixture, settings);
        private readonly Failing.Counter _calls = new(failFirst, passFirst);
        private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>? _failing;

        /// <summary>Grain calls made so far, failed or not.</summary>
        public int Calls => _calls.Calls;

        public HttpClient CreateClient()
        {
            _failing = _factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
                services.AddSingleton(Failing.Create<IGrainFactory>(fixture.Cluster.Client, failure, _calls))));
            return _failing.CreateClient();
        }

        public async ValueTask DisposeAsync()
        {
            // Unanswered calls end now, so the gateway's requests waiting on them end and it can stop.
            _calls.ReleaseUnanswered();
            if (_failing is not null)
            {
                await _failing.DisposeAsync();
            }

            await _factory.DisposeAsync();
        }
    }

    /// <summary>
    /// A proxy for any interface: methods returning grains return proxies of those grains; task-returning methods
    /// fail (or, without a failure, never complete) while <see cref="Counter"/> says so, then run on the real object;
    /// the rest throw.
    /// </summary>
    public class Failing : DispatchProxy
    {
        private object _target = null!;
        private Exception? _failure;
        private Counter _counter = null!;

        public static T Create<T>(object target, Exception? failure, Counter counter) => (T)Create(typeof(T), target, failure, counter);

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            var returns = targetMethod!.ReturnType;
            if (returns.IsInterface && typeof(IAddressable).IsAssignableFrom(returns))
            {
                return Create(returns, targetMethod.Invoke(_target, args)!, _failure, _counter);
            }

            if (returns != typeof(Task) && !(returns.IsGenericType && returns.GetGenericTypeDefinition() == typeof(Task<>)))
            {
                throw _failure ?? new NotSupportedException(targetMethod.Name);
            }

            if (!_counter.NextFails())
            {
                return targetMethod.Invoke(_target, args);
            }

            if (_failure is null)
            {
                return _counter.Unanswered(returns);
            }

            if (returns == typeof(Task))
            {
                return Task.FromException(_failure);
            }

            var fromException = typeof(Task).GetMethod(nameof(Task.FromException), 1, [typeof(Exception)])!;
            return fromException.MakeGenericMethod(returns.GetGenericArguments()[0]).Invoke(null, [_failure]);
        }

        private static object Create(Type type, object target, Exception? failure, Counter counter)
        {
            var proxy = (Failing)Create(type, typeof(Failing));
            proxy._target = target;
            proxy._failure = failure;
            proxy._counter = counter;
            return proxy;
        }

        /// <summary>Counts grain calls; the first <c>failures</c> after the first <c>passes</c> fail.</summary>
        public sealed class Counter(int failures, int passes = 0)
        {
            private int _calls;

            public int Calls => Volatile.Read(ref _calls);

            private readonly List<CancellationTokenSource> _unanswered = [];

            public bool NextFails() => Interlocked.Increment(ref _calls) is var call && call > passes && call - passes <= failures;

            /// <summary>A task of type <paramref name="returns"/> that ends (cancelled) only at <see cref="ReleaseUnanswered"/>.</summary>
            public object Unanswered(Type returns)
            {
                var release = new CancellationTokenSource();
                lock (_unanswered)
                {
                    _unanswered.Add(release);
                }

                var never = Task.Delay(Timeout.Infinite, release.Token);
                if (returns == typeof(Task))
                {
                    return never;
                }

                var result = returns.GetGenericArguments()[0];
                var convert = typeof(Counter).GetMethod(nameof(Never), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(result);
                return convert.Invoke(null, [never])!;
            }

            public void ReleaseUnanswered()
            {
                lock (_unanswered)
                {
                    foreach (var release in _unanswered)
                    {
                        release.Cancel();
                        release.Dispose();
                    }

                    _unanswered.Clear();
                }
            }

            private static async Task<T> Never<T>(Task never)
            {
                await never;
                throw new InvalidOperationException("unreachable");
            }
        }
    }
}
