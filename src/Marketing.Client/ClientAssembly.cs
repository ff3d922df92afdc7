namespace Marketing.Client;

/// <summary>Marker for the client assembly.</summary>
public static class ClientAssembly;
