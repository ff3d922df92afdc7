using System.Security.Cryptography;
using System.Text;

namespace Marketing.Abstractions;

/// <summary>
/// Turns a shop's user id into the pseudonym that keys <c>IShopperGrain</c>, grain storage and the event log:
/// HMAC-SHA256 under a secret key, so nothing stored names the shopper and the mapping cannot be reversed or
/// recomputed without the key.
/// </summary>
public sealed class ShopperPseudonym
{
    private readonly byte[] _key;

    public ShopperPseudonym(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        _key = Encoding.UTF8.GetBytes(key);
    }

    /// <summary>A 32-character lowercase hex pseudonym (128 bits of the HMAC).</summary>
    public string Of(string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(userId), mac);
        return Convert.ToHexStringLower(mac[..16]);
    }
}
