using Marketing.Ml.Embeddings;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Marketing.Grains.Search;

/// <summary>
/// Recent search queries and their embeddings, per silo. An embedding is a pure function of the text and the model, so
/// a silo-local cache cannot go stale the way a cache of grain state would; it is bounded by entry count.
/// Queries get the model's query prefix (<see cref="EncoderOptions.EffectiveQueryPrefix"/>); products' texts never do.
/// </summary>
public sealed class QueryEmbeddingCache(ITextEncoder encoder, IOptions<SearchOptions> options, IOptions<EncoderOptions> encoderOptions) : IDisposable
{
    private readonly string _prefix = encoderOptions.Value.EffectiveQueryPrefix;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = options.Value.QueryCacheEntries });

    public async ValueTask<float[]> EmbedAsync(string query)
    {
        var key = query.Trim();
        if (_cache.TryGetValue(key, out float[]? vector) && vector is not null)
        {
            return vector;
        }

        vector = await encoder.EncodeAsync(_prefix + key);
        _cache.Set(key, vector, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromHours(1) });
        return vector;
    }

    public void Dispose() => _cache.Dispose();
}
