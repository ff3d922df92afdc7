namespace Marketing.Ml.Support;

/// <summary>
/// One example's features as parallel arrays of feature indices and values (only the non-zero ones): the embedding
/// fills a dense block, the word and character n-grams a few hundred of a large vocabulary.
/// </summary>
public sealed record SparseRow(int[] Indices, float[] Values);
