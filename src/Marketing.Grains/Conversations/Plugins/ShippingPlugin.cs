using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace Marketing.Grains.Conversations.Plugins;

public sealed record ShippingInfo(int StandardDays, decimal StandardPrice, decimal FreeFrom, int ExpressDays, decimal ExpressPrice, int ProcessingDays);

/// <summary>Shipping and delivery terms, from the shop's configuration.</summary>
public sealed class ShippingPlugin(SupportOptions options)
{
    public const string Name = "shipping";

    [KernelFunction("shipping_info")]
    [Description("The shop's shipping options, prices and delivery times.")]
    public ShippingInfo Info() => new(options.DeliveryDays, options.StandardShippingPrice, options.FreeShippingFrom, options.ExpressDeliveryDays, options.ExpressPrice, options.ProcessingDays);
}
