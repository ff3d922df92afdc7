namespace Marketing.Grains.Tests;

/// <summary>For what arrives one-way (counters, subscribers): reads until a condition holds, for at most 20 s.</summary>
public static class Eventually
{
    /// <summary>The last value read; the assertions after it say what was missing.</summary>
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var value = await read();
        while (!done(value) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            value = await read();
        }

        return value;
    }
}
