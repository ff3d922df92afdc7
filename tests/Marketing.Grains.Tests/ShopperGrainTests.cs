using System.Collections.Immutable;
using Marketing.Abstractions;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Shoppers;
using Marketing.Grains.Events;
using static Marketing.Grains.Tests.ClusterFixture;

namespace Marketing.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class ShopperGrainTests(ClusterFixture fixture)
{
    private static string NewShopper() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Purchase_updates_value_and_clears_bought_items_from_the_cart()
    {
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(NewShopper());
        await shopper.Track(
            [
                new ShopperEvent { EventId = "a1", Type = ShopperEventType.AddToCart, Timestamp = DateTimeOffset.UtcNow, Sku = "apple", Quantity = 2, Price = 1.5m },
                new ShopperEvent { EventId = "a2", Type = ShopperEventType.AddToCart, Timestamp = DateTimeOffset.UtcNow, Sku = "pear", Quantity = 1 },
                Purchase("p1", "order-1", ("apple", 2, 1.5m), ("bread", 1, 2m)),
            ],
            EventSource.Live);

        var view = await shopper.Get();

        Assert.True(view.Exists);
        Assert.Equal(3, view.EventCount);
        Assert.Equal(1, view.Value.Orders);
        Assert.Equal(5m, view.Value.Monetary);
        Assert.NotNull(view.Value.LastPurchaseAt);
        Assert.Equal(["pear"], view.Cart.Select(c => c.Sku));
    }

    [Fact]
    public async Task A_resent_event_counts_once()
    {
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(NewShopper());

        var first = await shopper.Track([View("e1", "sku-1"), View("e1", "sku-1")], EventSource.Live);
        var again = await shopper.Track([View("e1", "sku-1")], EventSource.Live);

        Assert.Equal((1, 1), (first.Accepted, first.Duplicates));
        Assert.Equal((0, 1), (again.Accepted, again.Duplicates));
        Assert.Equal(1, (await shopper.Get()).EventCount);
    }

    [Fact]
    public async Task Late_events_take_their_place_in_the_history_by_time()
    {
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(NewShopper());
        var now = DateTimeOffset.UtcNow;

        await shopper.Track([View("new", "b", now)], EventSource.Live);
        await shopper.Track([View("old", "a", now.AddHours(-3))], EventSource.Live);

        var view = await shopper.Get();
        Assert.Equal(["a", "b"], view.RecentEvents.Select(e => e.Sku));
        Assert.Equal(now.AddHours(-3), view.Value.FirstSeenAt);
        Assert.Equal(now, view.Value.LastSeenAt);
    }

    [Fact]
    public async Task A_shopper_sending_hundreds_of_events_a_second_is_flagged_and_kept_out_of_value()
    {
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(NewShopper());
        var burst = Enumerable.Range(0, 200).Select(i => View($"b{i}", "sku")).ToImmutableArray();

        var result = await shopper.Track(burst, EventSource.Live);
        await shopper.Track([Purchase("p", "o", ("sku", 1, 10m))], EventSource.Live);

        var view = await shopper.Get();
        Assert.True(result.FlaggedAsBot);
        Assert.True(view.IsBot);
        Assert.Equal(0, view.Value.Orders);
        Assert.Empty(view.RecentEvents);
        Assert.Equal(201, view.EventCount);
    }

    [Fact]
    public async Task Imported_history_is_not_mistaken_for_a_bot()
    {
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(NewShopper());
        var history = Enumerable.Range(0, 200).Select(i => View($"h{i}", "sku", DateTimeOffset.UtcNow.AddDays(-i))).ToImmutableArray();

        var result = await shopper.Track(history, EventSource.Import);

        Assert.False(result.FlaggedAsBot);
        Assert.False((await shopper.Get()).IsBot);
    }

    [Fact]
    public async Task An_invalid_event_rejects_the_whole_batch_and_changes_nothing()
    {
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(NewShopper());
        var bad = new ShopperEvent { EventId = "x", Type = ShopperEventType.AddToCart, Timestamp = DateTimeOffset.UtcNow, Sku = "s", Quantity = 1, Price = -3 };

        var error = await Assert.ThrowsAsync<InvalidInputException>(() => shopper.Track([View("ok", "s"), bad], EventSource.Live));

        Assert.Contains(error.Errors, e => e.Field == "events[1].price");
        Assert.False((await shopper.Get()).Exists);
    }

    [Fact]
    public async Task State_written_behind_survives_deactivation()
    {
        var key = NewShopper();
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(key);
        await shopper.Track([View("v1", "a"), Purchase("p1", "o1", ("a", 1, 3m))], EventSource.Live);

        await fixture.Cluster.DeactivateAsync(shopper);
        var view = await fixture.Grains.GetGrain<IShopperGrain>(key).Get();

        Assert.Equal(2, view.EventCount);
        Assert.Equal(3m, view.Value.Monetary);
    }

    [Fact]
    public async Task Events_a_deactivation_could_not_write_reach_the_next_activation()
    {
        var key = NewShopper();
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(key);
        await shopper.Track([View("v1", "a"), Purchase("p1", "o1", ("a", 1, 3m))], EventSource.Live);

        using (var refusal = FailingWrites.Refuse(shopper))
        {
            await fixture.Cluster.DeactivateAsync(shopper);
            Assert.True(refusal.Refused > 0);
        }

        // The next activation starts from what was stored (nothing); the events come back to it within seconds.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        ShopperView view;
        while ((view = await fixture.Grains.GetGrain<IShopperGrain>(key).Get()).EventCount < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(2, view.EventCount);
        Assert.Equal(3m, view.Value.Monetary);
        await fixture.Cluster.DeactivateAsync(shopper);
        Assert.Equal(2, (await fixture.Grains.GetGrain<IShopperGrain>(key).Get()).EventCount);
    }

    [Fact]
    public async Task A_shopper_woken_from_a_dead_silos_tail_is_served_before_its_state_is_written_and_the_recovery_call_writes_it()
    {
        var key = NewShopper();
        var at = DateTimeOffset.UtcNow;
        Planted.Plant(key, new LoggedEvent(key, 1, at, EventSource.Live, false, Purchase("t1", "o", ("a", 1, 5m))));
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(key);
        var recovery = fixture.Grains.GetGrain<IShopperRecoveryGrain>(key);

        using (var refusal = FailingWrites.Refuse(shopper))
        {
            // Thousands wake at once after a silo dies: calls are served from the tail without waiting on storage.
            Assert.Equal(5m, (await shopper.Get()).Value.Monetary);
            Assert.Equal(0, refusal.Refused);

            // The recovery service retires the tail only after every shopper in it answered, so that call must write.
            await Assert.ThrowsAnyAsync<Exception>(() => recovery.Recover());
            Assert.True(refusal.Refused > 0);
        }

        await recovery.Recover();
        Planted.Plant(key);
        await fixture.Cluster.DeactivateAsync(shopper);
        Assert.Equal(5m, (await shopper.Get()).Value.Monetary);
    }

    [Fact]
    public async Task Accepted_events_reach_the_log_under_the_pseudonym_in_sequence()
    {
        var key = NewShopper();
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(key);
        await shopper.Track([View("s1", "a"), View("s2", "b")], EventSource.Live);
        await shopper.Track([View("s3", "c"), View("s1", "a")], EventSource.Live);

        var mine = (await fixture.LoggedAsync()).Where(r => r.Shopper == key).OrderBy(r => r.Seq).ToList();

        Assert.Equal([1L, 2L, 3L], mine.Select(r => r.Seq));
        Assert.Equal(["s1", "s2", "s3"], mine.Select(r => r.Event.EventId));
    }

    [Fact]
    public async Task Activation_replays_log_records_a_crashed_silo_never_wrote_to_state()
    {
        var key = NewShopper();
        var at = DateTimeOffset.UtcNow;
        Planted.Plant(
            key,
            new LoggedEvent(key, 1, at, EventSource.Live, false, View("r1", "a")),
            new LoggedEvent(key, 2, at, EventSource.Live, false, Purchase("r2", "o", ("a", 1, 7m))));

        var shopper = fixture.Grains.GetGrain<IShopperGrain>(key);
        var view = await shopper.Get();
        var next = await shopper.Track([View("r3", "b"), View("r1", "a")], EventSource.Live);

        Assert.Equal(2, view.EventCount);
        Assert.Equal(7m, view.Value.Monetary);
        Assert.Equal((1, 1), (next.Accepted, next.Duplicates));
        Assert.Equal(3, (await shopper.Get()).EventCount);
    }

    [Fact]
    public async Task Erasure_removes_the_shopper_and_their_logged_events_from_every_reader()
    {
        var key = NewShopper();
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(key);
        await shopper.Track([View("z1", "a")], EventSource.Live);
        await shopper.UpdateProfile(ImmutableDictionary<string, string?>.Empty.Add("email", "someone@example.com"));

        var receipt = await shopper.Erase();

        Assert.Equal(key, receipt.Shopper);
        Assert.False((await fixture.Grains.GetGrain<IShopperGrain>(key).Get()).Exists);
        Assert.DoesNotContain(await fixture.LoggedAsync(), r => r.Shopper == key);
    }

    [Fact]
    public async Task Profile_and_consent_changes_are_kept()
    {
        var key = NewShopper();
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(key);

        await shopper.UpdateProfile(ImmutableDictionary<string, string?>.Empty.Add("country", "NL").Add("tier", "gold"));
        await shopper.UpdateProfile(ImmutableDictionary<string, string?>.Empty.Add("tier", null));
        await shopper.SetConsent(new ConsentUpdate(Personalisation: null, Marketing: true));
        await fixture.Cluster.DeactivateAsync(shopper);

        var view = await fixture.Grains.GetGrain<IShopperGrain>(key).Get();
        Assert.Equal(new Dictionary<string, string> { ["country"] = "NL" }, view.Attributes);
        Assert.True(view.Consent.Marketing);
        Assert.True(view.Consent.Personalisation);
    }

    [Fact]
    public async Task Oversized_profiles_are_refused_with_the_attribute_named()
    {
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(NewShopper());

        var error = await Assert.ThrowsAsync<InvalidInputException>(() =>
            shopper.UpdateProfile(ImmutableDictionary<string, string?>.Empty.Add("bio", new string('x', 600))));

        Assert.Contains(error.Errors, e => e.Field == "attributes.bio");
    }
}
