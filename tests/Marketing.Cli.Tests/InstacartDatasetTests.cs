using Marketing.Abstractions;
using Marketing.Abstractions.Events;
using Marketing.Cli.Import;

namespace Marketing.Cli.Tests;

public class InstacartDatasetTests
{
    [Fact]
    public void The_first_thousand_products_map_to_titles_aisles_and_departments()
    {
        var (products, tally) = InstacartDataset.ReadProducts(TestData.Dir, 1_000);

        Assert.Equal(1_000, tally.RowsRead);
        Assert.Equal(0, tally.RejectedRows);
        Assert.Equal(1_000, products.Count);
        var cookies = products[0];
        Assert.Equal("1", cookies.Sku);
        Assert.Equal("Chocolate Sandwich Cookies", cookies.Input.Title);
        Assert.Equal("cookies cakes", cookies.Input.Category);
        Assert.Equal("snacks", cookies.Input.Attributes["department"]);
        Assert.Equal("cookies cakes", cookies.Input.Attributes["aisle"]);
        Assert.Null(cookies.Input.Brand);
        Assert.Equal(InstacartDataset.PlaceholderPrice, cookies.Input.Price);
        Assert.Equal(InstacartDataset.PlaceholderStock, cookies.Input.Stock);
    }

    [Fact]
    public void Names_with_commas_and_escaped_quotes_come_out_as_a_shopper_would_read_them()
    {
        var (products, _) = InstacartDataset.ReadProducts(TestData.Dir, 1_000);
        var bySku = products.ToDictionary(p => p.Sku);

        Assert.Equal("Three Cheese Ziti, Marinara with Meatballs", bySku["30"].Input.Title);
        Assert.Equal("Easy Grab 9\"x13\" Oblong Glass Bakeware", bySku["105"].Input.Title);
        Assert.Equal("\"Constant Comment\" Decaffeinated Black Tea Blend", bySku["483"].Input.Title);
    }

    [Fact]
    public void The_whole_catalogue_passes_the_shared_product_rules()
    {
        var (products, tally) = InstacartDataset.ReadProducts(TestData.Dir, null);

        Assert.Equal(49_688, tally.RowsRead);
        Assert.Equal(49_688, products.Count);
        Assert.Empty(tally.Rejected);
        Assert.Equal(0, tally.Duplicates);
    }

    [Fact]
    public void Order_lines_become_one_purchase_per_order_that_passes_the_event_rules()
    {
        var (shoppers, tally) = InstacartDataset.ReadOrders(TestData.Dir, 1_000, TestData.Now);

        Assert.Equal(1_000, tally.RowsRead);
        Assert.Equal(0, tally.RejectedRows);
        Assert.Equal(1_000, shoppers.Sum(s => s.Events.Sum(e => e.Rows)));
        var first = Assert.Single(shoppers[0].Events).Event;
        Assert.Equal("instacart-order-1", shoppers[0].UserId);
        Assert.Equal("instacart-order-1", first.EventId);
        Assert.Equal("1", first.OrderId);
        Assert.Equal(ShopperEventType.Purchase, first.Type);
        Assert.Equal(8, first.Lines.Length);
        Assert.Equal("49302", first.Lines[0].Sku);
        Assert.All(first.Lines, l => Assert.Equal(1, l.Quantity));
        Assert.Equal(InstacartDataset.Epoch.AddMinutes(1), first.Timestamp);

        var errors = new List<FieldError>();
        foreach (var e in shoppers.SelectMany(s => s.Events))
        {
            ShopperEventValidator.Validate(e.Event, "event", TestData.Now, errors);
        }

        Assert.Empty(errors);
    }

    [Fact]
    public void Every_order_in_the_excerpt_is_read()
    {
        var (shoppers, tally) = InstacartDataset.ReadOrders(TestData.Dir, null, TestData.Now);

        Assert.Equal(107_192, tally.RowsRead);
        Assert.Equal(10_166, shoppers.Count);
        Assert.Equal(10_166, tally.Records);
        Assert.Equal(0, tally.RejectedRows);
    }

    [Fact]
    public void With_an_orders_file_orders_belong_to_their_user_in_order_number_sequence()
    {
        var dir = Directory.CreateTempSubdirectory("instacart-orders-");
        try
        {
            var folder = Directory.CreateDirectory(Path.Combine(dir.FullName, InstacartDataset.Folder)).FullName;
            File.WriteAllText(Path.Combine(folder, "order_products__train_head.csv"),
                "order_id,product_id,add_to_cart_order,reordered\n10,5,1,0\n20,6,2,0\n20,7,1,0\n30,8,1,0\n");
            File.WriteAllText(Path.Combine(folder, "orders.csv"),
                "order_id,user_id,eval_set,order_number,order_dow,order_hour_of_day,days_since_prior_order\n"
                + "20,7,prior,2,1,9,3.0\n10,7,prior,1,0,8,\n");

            var (shoppers, tally) = InstacartDataset.ReadOrders(dir.FullName, null, TestData.Now);

            var shopper = Assert.Single(shoppers);
            Assert.Equal("instacart-user-7", shopper.UserId);
            Assert.Equal(["instacart-order-10", "instacart-order-20"], shopper.Events.Select(e => e.Event.EventId));
            Assert.Equal(InstacartDataset.Epoch.AddHours(8), shopper.Events[0].Event.Timestamp);
            Assert.Equal(InstacartDataset.Epoch.AddDays(3).AddHours(9), shopper.Events[1].Event.Timestamp);
            Assert.Equal(["7", "6"], shopper.Events[1].Event.Lines.Select(l => l.Sku));
            Assert.Equal(1, tally.Rejected["order_id: not in orders.csv"]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Malformed_rows_are_counted_by_reason_and_the_rest_still_import()
    {
        var dir = Directory.CreateTempSubdirectory("instacart-bad-");
        try
        {
            var folder = Directory.CreateDirectory(Path.Combine(dir.FullName, InstacartDataset.Folder)).FullName;
            File.WriteAllText(Path.Combine(folder, "aisles.csv"), "aisle_id,aisle\n1,fresh fruits\n");
            File.WriteAllText(Path.Combine(folder, "departments.csv"), "department_id,department\n4,produce\n");
            File.WriteAllText(Path.Combine(folder, "products.csv"),
                "product_id,product_name,aisle_id,department_id\n1,Banana,1,4\nx,Apple,1,4\n2,,1,4\n3,Pear,9,4\n1,Banana again,1,4\n");

            var (products, tally) = InstacartDataset.ReadProducts(dir.FullName, null);

            Assert.Equal(5, tally.RowsRead);
            Assert.Equal("Banana", Assert.Single(products).Input.Title);
            Assert.Equal(1, tally.Rejected["product_id: not a whole number"]);
            Assert.Equal(1, tally.Rejected["title: is required"]);
            Assert.Equal(1, tally.Rejected["aisle_id: not in aisles.csv"]);
            Assert.Equal(1, tally.Duplicates);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
