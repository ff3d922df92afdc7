using System.Collections.Immutable;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Shoppers;
using Marketing.Grains.Conversations;
using Marketing.Grains.Events;
using Marketing.Grains.Shoppers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.TestingHost;
using static Marketing.Grains.Tests.ClusterFixture;

namespace Marketing.Grains.Tests;

/// <summary>
/// After a silo died, a shopper's next activation may start on another silo than the one holding the events its last
/// activation handed off, within the seconds before they are delivered. It must serve them from its first call.
/// </summary>
public sealed class UnsavedHandOffTests
{
    [Fact]
    public async Task After_a_death_a_shopper_serves_the_events_handed_off_on_another_silo_from_its_first_call()
    {
        // A cluster of its own: a silo leaves it, which the shared cluster's tests must not see.
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((_, silo) =>
        {
            AddGrainStateStorage(silo);
            silo.AddMarketingGrains();

            // Three silos training the support models at once on two cores would slow the reads this test times.
            silo.Services.Configure<SupportOptions>(o => o.TrainAtStart = false);
        });
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        await cluster.StopSiloAsync(cluster.Silos[2]);
        var holder = cluster.Silos[0].SiloAddress;
        var handOffs = cluster.Silos.Select(s => cluster.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<UnsavedHandOff>()).ToList();
        await WaitUntilAsync(() => handOffs.All(h => h.PeersToAsk().Count == 1), "both silos to see the third one dead");

        // Twenty shoppers hand off a purchase on the first silo; their next activations land on either.
        var keys = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid().ToString("N")).ToList();
        var loggedAt = DateTimeOffset.UtcNow;
        foreach (var key in keys)
        {
            handOffs[0].HandOff(key, [new LoggedEvent(key, 1, loggedAt, EventSource.Live, false, Purchase($"p-{key}", "o1", ("a", 1, 9m)))]);
        }

        var views = await Task.WhenAll(keys.Select(k => cluster.Client.GetGrain<IShopperGrain>(k).Get()));

        // Read well within the delivery delay, so only the activation's own copy can explain the events.
        Assert.True(DateTimeOffset.UtcNow - loggedAt < UnsavedHandOff.DeliveryDelay, "the reads took longer than the delivery delay");
        Assert.All(views, v => Assert.Equal((1, 9m), (v.EventCount, v.Value.Monetary)));
        var management = cluster.Client.GetGrain<IManagementGrain>(0);
        var elsewhere = 0;
        foreach (var key in keys)
        {
            elsewhere += (await management.GetActivationAddress(cluster.Client.GetGrain<IShopperGrain>(key)))?.Equals(holder) == false ? 1 : 0;
        }

        Assert.InRange(elsewhere, 1, keys.Count);

        // Those that copied them stored them and told the holder, so none is left there to deliver.
        Assert.Equal(0, handOffs[0].Waiting);
    }

    [Fact]
    public void New_activations_ask_the_other_active_silos_only_for_a_while_after_a_death()
    {
        var self = Silo(1);
        var peer = Silo(2);
        var gone = Silo(3);
        var membership = new FixedMembership();
        var time = new ManualTime();
        var handOff = HandOffOn(self, membership, time);

        membership.Set((self, SiloStatus.Active), (peer, SiloStatus.Active), (gone, SiloStatus.Active));
        Assert.Empty(handOff.PeersToAsk());

        membership.Set((self, SiloStatus.Active), (peer, SiloStatus.Active), (gone, SiloStatus.Dead));
        Assert.Equal([peer], handOff.PeersToAsk());

        time.Advance(UnsavedHandOff.PeerWindow - TimeSpan.FromSeconds(1));
        Assert.Equal([peer], handOff.PeersToAsk());

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(handOff.PeersToAsk());

        // The same dead silo seen again in a later snapshot is no new death; another one is.
        membership.Set((self, SiloStatus.Active), (peer, SiloStatus.Active), (gone, SiloStatus.Dead), (Silo(4), SiloStatus.Joining));
        Assert.Empty(handOff.PeersToAsk());
        membership.Set((self, SiloStatus.Active), (peer, SiloStatus.Active), (gone, SiloStatus.Dead), (Silo(4), SiloStatus.Dead));
        Assert.Equal([peer], handOff.PeersToAsk());
    }

    [Fact]
    public void A_peer_that_holds_nothing_is_asked_no_more_once_it_has_had_time_to_hand_off()
    {
        var self = Silo(1);
        var peer = Silo(2);
        var other = Silo(3);
        var membership = new FixedMembership();
        var time = new ManualTime();
        var handOff = HandOffOn(self, membership, time);
        membership.Set((self, SiloStatus.Active), (peer, SiloStatus.Active), (other, SiloStatus.Active), (Silo(4), SiloStatus.Dead));
        Assert.Equal([peer, other], handOff.PeersToAsk().OrderBy(s => s.Endpoint.Port));

        // Right after the death an empty answer proves nothing: the peer may not have handled the death yet.
        handOff.PeerAnswered(peer, 0);
        Assert.Equal([peer, other], handOff.PeersToAsk().OrderBy(s => s.Endpoint.Port));

        time.Advance(UnsavedHandOff.PeerQuietAfter);
        handOff.PeerAnswered(peer, 0);
        handOff.PeerAnswered(other, 3);
        Assert.Equal([other], handOff.PeersToAsk());

        // Another death: every peer may hold events again.
        membership.Set((self, SiloStatus.Active), (peer, SiloStatus.Active), (other, SiloStatus.Dead), (Silo(4), SiloStatus.Dead));
        Assert.Equal([peer], handOff.PeersToAsk());
    }

    [Fact]
    public void A_silo_that_starts_with_a_dead_member_asks_its_peers_at_once()
    {
        var self = Silo(1);
        var peer = Silo(2);
        var membership = new FixedMembership();
        var time = new ManualTime();
        membership.Set((self, SiloStatus.Active), (peer, SiloStatus.Active), (Silo(3), SiloStatus.Dead));
        var handOff = HandOffOn(self, membership, time);

        Assert.Equal([peer], handOff.PeersToAsk());
    }

    private static UnsavedHandOff HandOffOn(SiloAddress self, FixedMembership membership, ManualTime time) =>
        new(null!, new LocalSilo(self), membership, new WriteBehindTracker(time), time, NullLogger<UnsavedHandOff>.Instance);

    private static SiloAddress Silo(int n) => SiloAddress.New(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 11110 + n), 1);

    private static async Task WaitUntilAsync(Func<bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }

    private sealed class FixedMembership : IClusterMembershipService
    {
        private long _version;

        public ClusterMembershipSnapshot CurrentSnapshot { get; private set; } = new(ImmutableDictionary<SiloAddress, ClusterMember>.Empty, MembershipVersion.MinValue);

        public IAsyncEnumerable<ClusterMembershipSnapshot> MembershipUpdates => throw new NotSupportedException();

        public void Set(params (SiloAddress Silo, SiloStatus Status)[] members) => CurrentSnapshot = new(
            members.ToImmutableDictionary(m => m.Silo, m => new ClusterMember(m.Silo, m.Status, m.Silo.ToString())),
            new MembershipVersion(++_version));

        public ValueTask Refresh(MembershipVersion minimumVersion = default, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public Task<bool> TryKill(SiloAddress siloAddress) => Task.FromResult(false);
    }

    private sealed class LocalSilo(SiloAddress address) : ILocalSiloDetails
    {
        public string Name => "test";

        public string ClusterId => "test";

        public string DnsHostName => "localhost";

        public SiloAddress SiloAddress => address;

        public SiloAddress GatewayAddress => address;
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
