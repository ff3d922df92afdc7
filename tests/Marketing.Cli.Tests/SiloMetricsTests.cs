using Marketing.Cli.Benchmarks;

namespace Marketing.Cli.Tests;

public class SiloMetricsTests
{
    // The shape of the silo's /metrics page (OpenTelemetry's Prometheus exporter), trimmed to the series read.
    private const string Before = """
        # TYPE dotnet_gc_collections_total counter
        dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen2"} 18
        dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen1"} 6
        dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen0"} 21
        # TYPE dotnet_gc_pause_time_seconds_total counter
        dotnet_gc_pause_time_seconds_total{otel_scope_name="System.Runtime"} 1.158803
        marketing_eventlog_block_appends_count{otel_scope_name="Marketing.EventLog"} 1000
        marketing_eventlog_append_duration_milliseconds_sum{otel_scope_name="Marketing.EventLog"} 20000
        marketing_eventlog_append_duration_milliseconds_count{otel_scope_name="Marketing.EventLog"} 2000
        """;

    private const string After = """
        dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen2"} 18
        dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen1"} 8
        dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen0"} 23
        dotnet_gc_pause_time_seconds_total{otel_scope_name="System.Runtime"} 1.355791
        marketing_eventlog_block_appends_count{otel_scope_name="Marketing.EventLog"} 7462
        marketing_eventlog_append_duration_milliseconds_sum{otel_scope_name="Marketing.EventLog"} 138350
        marketing_eventlog_append_duration_milliseconds_count{otel_scope_name="Marketing.EventLog"} 17000
        """;

    [Fact]
    public void Collections_are_summed_over_generations_and_the_run_is_told_as_a_difference()
    {
        var before = SiloMetrics.Parse(Before);
        var after = SiloMetrics.Parse(After);

        Assert.Equal(45, before.GcCollections);
        Assert.Equal("4 garbage collection(s), 0.197 s paused in all; the event log stored 6,462 block(s) for 15,000 append(s), and an append waited 7.9 ms on average for its block",
            after.DescribeSince(before));
    }

    [Fact]
    public void A_silo_without_the_append_blob_log_is_told_without_it()
    {
        var before = SiloMetrics.Parse("dotnet_gc_collections_total{gc_heap_generation=\"gen0\"} 3\ndotnet_gc_pause_time_seconds_total 0.5\n");
        var after = SiloMetrics.Parse("dotnet_gc_collections_total{gc_heap_generation=\"gen0\"} 5\ndotnet_gc_pause_time_seconds_total 0.75\n");

        Assert.Equal("2 garbage collection(s), 0.250 s paused in all", after.DescribeSince(before));
    }

    [Fact]
    public async Task A_silo_that_does_not_answer_is_named_not_thrown()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var (metrics, problem) = await SiloMetrics.ReadAsync(http, new Uri("http://127.0.0.1:9/"), CancellationToken.None);

        Assert.Null(metrics);
        Assert.Contains("http://127.0.0.1:9/metrics", problem, StringComparison.Ordinal);
    }
}
