using Marketing.Abstractions;
using Marketing.Abstractions.Products;
using Marketing.Abstractions.Shoppers;

namespace Marketing.Grains.Tests;

/// <summary>The cached references of the hot paths address the same grains, through the same interfaces, as GetGrain.</summary>
[Collection(ClusterCollection.Name)]
public sealed class GrainReferencesTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_reference_by_string_key_is_the_grain_GetGrain_gives()
    {
        foreach (var key in new[] { "ref-one", "ref-two" })
        {
            var cached = fixture.Grains.Ref<IShopperGrain>(key);
            var plain = fixture.Grains.GetGrain<IShopperGrain>(key);
            Assert.Equal(plain.GetGrainId(), cached.GetGrainId());
            Assert.Equal(((GrainReference)plain).InterfaceType, ((GrainReference)cached).InterfaceType);
        }

        await fixture.Grains.Ref<IShopperGrain>("ref-one").Track([ClusterFixture.View("r1", "ref-sku")], Abstractions.Events.EventSource.Live);
        var view = await fixture.Grains.GetGrain<IShopperGrain>("ref-one").Get();
        Assert.Single(view.RecentEvents);
    }

    [Fact]
    public void A_reference_by_integer_key_or_grain_id_is_the_grain_GetGrain_gives()
    {
        Assert.Equal(fixture.Grains.GetGrain<IProductIndexGrain>(3).GetGrainId(), fixture.Grains.Ref<IProductIndexGrain>(3).GetGrainId());
        Assert.NotEqual(fixture.Grains.Ref<IProductIndexGrain>(3).GetGrainId(), fixture.Grains.Ref<IProductIndexGrain>(4).GetGrainId());

        var id = fixture.Grains.GetGrain<IProductGrain>("ref-product").GetGrainId();
        var cached = fixture.Grains.Ref<IWriteBehindGrain>(id);
        Assert.Equal(id, cached.GetGrainId());
        Assert.Equal(((GrainReference)fixture.Grains.GetGrain<IWriteBehindGrain>(id)).InterfaceType, ((GrainReference)cached).InterfaceType);
    }
}
