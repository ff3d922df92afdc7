using Marketing.Abstractions.Products;

namespace Marketing.Grains.Tests;

/// <summary>
/// Real product names from four Instacart aisles, upserted once into the shared cluster under SKUs "ic-{id}", for
/// the search and interest tests. Tests that change products use SKUs of their own.
/// </summary>
public static class ShopCatalogue
{
    public const string Fruit = "fresh fruits";
    public const string Pizza = "frozen pizza";
    public const string HairCare = "hair care";
    public const string DogFood = "dog food care";

    public static readonly IReadOnlyList<(int Id, string Name, string Aisle)> Products =
    [
        (143, "Organic Lemons", Fruit), (148, "Nectarines", Fruit), (260, "Cantaloupe", Fruit),
        (557, "Red Seedless Grapes Imported", Fruit), (1181, "Mini Watermelon", Fruit), (1368, "Pink Lady Apple", Fruit),
        (18, "Pizza for One Suprema  Frozen Pizza", Pizza), (250, "Authentic Deep Dish, Spinach & Garlic Pizza", Pizza),
        (269, "Stuffed Crust Five Cheese Pizza", Pizza), (356, "Ristorante Pizza Spinaci Thin Crust Pizza", Pizza),
        (414, "Gluten Free Chicken Rustica Pizza", Pizza), (571, "Thin & Crispy Crust Pepperoni Pizza", Pizza),
        (55, "Lasting Color Shampoo", HairCare), (308, "Advanced Haircare Color Vibrancy Nourishing Shampoo", HairCare),
        (372, "Moisture Rich Sweet Orange & Argan Conditioner", HairCare), (384, "EverCurl Hydracharge Conditioner", HairCare),
        (498, "Daily Moisture Shampoo", HairCare), (51, "Sa Extra Hold Mousse Hair Styling", HairCare),
        (21, "Small & Medium Dental Dog Treats", DogFood), (92, "Meat In The Middle Large Rawhide Chews", DogFood),
        (236, "Chicken Meatballs Dog Treats", DogFood), (377, "Chunky Beef with Vegetables & Brown Rice Dog Food", DogFood),
        (386, "Real Chicken & Veggies Recipe Dog Food", DogFood), (485, "Country Stew Choice Cuts In Gravy Dog Food", DogFood),
    ];

    private static readonly SemaphoreSlim Once = new(1, 1);
    private static bool _loaded;

    public static string Sku(int id) => $"ic-{id}";

    public static string AisleOf(string sku) => Products.Single(p => Sku(p.Id) == sku).Aisle;

    public static IEnumerable<string> SkusIn(string aisle) => Products.Where(p => p.Aisle == aisle).Select(p => Sku(p.Id));

    public static async Task EnsureLoadedAsync(IGrainFactory grains)
    {
        await Once.WaitAsync();
        try
        {
            if (!_loaded)
            {
                await Task.WhenAll(Products.Select(p => grains.GetGrain<IProductGrain>(Sku(p.Id))
                    .Upsert(new ProductInput { Title = p.Name, Category = p.Aisle, Price = 3.5m, Stock = 10 })));
                _loaded = true;
            }
        }
        finally
        {
            Once.Release();
        }
    }
}
