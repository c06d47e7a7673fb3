using System.Net;
using System.Net.Sockets;

namespace ImpVpn.TestSupport;

/// <summary>TCP connections made from inside a named network namespace (see <see cref="NamespaceSockets"/>), kept
/// open for the caller to send and receive on.</summary>
public static class NamespaceTcp
{
    /// <summary>A socket of <paramref name="ns"/> connected to <paramref name="address"/>:<paramref name="port"/>, or
    /// null when no connection is set up within <paramref name="within"/> (refused, or dropped and never answered).</summary>
    public static async Task<Socket?> ConnectAsync(string ns, string address, int port, TimeSpan within)
    {
        var target = IPAddress.Parse(address);
        var client = NamespaceSockets.InNamespace(ns, () => new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        using var limit = new CancellationTokenSource(within);
        try
        {
            await client.ConnectAsync(target, port, limit.Token);
            return client;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            client.Dispose();
            return null;
        }
    }
}
