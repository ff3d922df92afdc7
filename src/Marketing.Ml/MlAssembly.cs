namespace Marketing.Ml;

/// <summary>Marker for the assembly of pure algorithms.</summary>
public static class MlAssembly;
