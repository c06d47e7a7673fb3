using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace ImpVpn.TestSupport;

/// <summary>One DNS query (type A) sent over UDP from inside a network namespace, so no resolver tool (dig,
/// nslookup) is needed on the test machine.</summary>
public static class DnsProbe
{
    /// <summary>The first IPv4 address answered for <paramref name="name"/> by <paramref name="server"/>:53, or
    /// null when no answer came within <paramref name="within"/> (a limit, not a measurement).</summary>
    public static async Task<IPAddress?> QueryAsync(string ns, string server, string name, TimeSpan within)
    {
        using var socket = NamespaceSockets.InNamespace(ns, () => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        using var limit = new CancellationTokenSource(within);
        var id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue);
        var query = Query(id, name);
        var buffer = new byte[512];
        try
        {
            await socket.SendToAsync(query, new IPEndPoint(IPAddress.Parse(server), 53), limit.Token);
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, limit.Token);
                // An answer to this query, with at least one record: its last 4 bytes are the A record's address
                // (dnsmasq answers one record for an --address name).
                if (read >= query.Length + 16 && buffer[0] == (byte)(id >> 8) && buffer[1] == (byte)id && (buffer[6] | buffer[7]) != 0)
                {
                    return new IPAddress(buffer.AsSpan(read - 4, 4));
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return null;
        }
    }

    private static byte[] Query(ushort id, string name)
    {
        var packet = new List<byte> { (byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.'))
        {
            packet.Add((byte)label.Length);
            packet.AddRange(Encoding.ASCII.GetBytes(label));
        }

        packet.AddRange([0, 0, 1, 0, 1]);
        return [.. packet];
    }
}
