namespace Marketing.Ml.Recommendations.Data;

/// <summary>
/// External ids (a shop's SKU, a dataset's item number) to dense indexes 0..Count-1 and back, in order of first
/// appearance: the models work on indexes so that a shopper's scores are one span over the catalogue.
/// </summary>
public sealed class IdMap
{
    private readonly Dictionary<string, int> _indexes = new(StringComparer.Ordinal);
    private readonly List<string> _ids = [];

    public int Count => _ids.Count;

    public int GetOrAdd(string id)
    {
        if (!_indexes.TryGetValue(id, out var index))
        {
            index = _ids.Count;
            _indexes.Add(id, index);
            _ids.Add(id);
        }

        return index;
    }

    public bool TryGetIndex(string id, out int index) => _indexes.TryGetValue(id, out index);

    public string IdOf(int index) => _ids[index];
}
