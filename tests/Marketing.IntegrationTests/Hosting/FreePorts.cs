using System.Net;
using System.Net.Sockets;

namespace Marketing.IntegrationTests.Hosting;

/// <summary>Ports nobody listens on right now, so tests run beside other developers' silos and Azurites.</summary>
public static class FreePorts
{
    public static int[] Take(int count)
    {
        // Hold every listener until all are chosen so one call never hands out the same port twice.
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    public static bool IsOpen(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
