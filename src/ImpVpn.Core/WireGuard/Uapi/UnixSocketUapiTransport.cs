using System.Net.Sockets;
using System.Text;

namespace ImpVpn.Core.WireGuard.Uapi;

/// <summary>The UAPI over /var/run/wireguard/NAME.sock. That folder is shared by every network namespace,
/// so a device created inside a namespace is still reached from here.</summary>
internal sealed class UnixSocketUapiTransport(string socketFolder) : IUapiTransport
{
    public const string DefaultFolder = "/var/run/wireguard";

    // A reply to get=1 from a device with many peers is large; the cap only stops a runaway peer process.
    private const int MaxReplyBytes = 64 * 1024 * 1024;

    public string SocketFolder { get; } = socketFolder;

    public string SocketPath(string device) => Path.Combine(SocketFolder, device + ".sock");

    public IReadOnlyList<string> ListDevices() =>
        Directory.Exists(SocketFolder)
            ? Directory.GetFiles(SocketFolder, "*.sock").Select(p => Path.GetFileNameWithoutExtension(p)).Order().ToList()
            : [];

    public bool Exists(string device) => File.Exists(SocketPath(device));

    public async Task<string> ExchangeAsync(string device, string request, CancellationToken cancellationToken)
    {
        if (!Exists(device))
        {
            throw new WireGuardDeviceNotFoundException(device);
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath(device)), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            // A socket file whose process has died: the device is gone.
            throw new WireGuardException($"WireGuard device '{device}' does not answer on {SocketPath(device)}: {e.Message}", e);
        }

        await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        return await ReadReplyAsync(socket, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<string> ReadReplyAsync(Socket socket, CancellationToken cancellationToken)
    {
        var reply = new StringBuilder();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return reply.ToString();
            }

            reply.Append(Encoding.ASCII.GetString(buffer, 0, read));
            if (reply.Length > MaxReplyBytes)
            {
                throw new WireGuardException("The UAPI reply is larger than any real device would send.");
            }

            // Every reply ends with "errno=N\n\n": stop there instead of waiting for the peer to close.
            if (reply.Length >= 2 && reply[^1] == '\n' && reply[^2] == '\n' && EndsWithErrno(reply))
            {
                return reply.ToString();
            }
        }
    }

    private static bool EndsWithErrno(StringBuilder reply)
    {
        var text = reply.ToString(Math.Max(0, reply.Length - 32), Math.Min(32, reply.Length));
        var lastLine = text.TrimEnd('\n');
        var start = lastLine.LastIndexOf('\n') + 1;
        return lastLine[start..].StartsWith("errno=", StringComparison.Ordinal);
    }
}
