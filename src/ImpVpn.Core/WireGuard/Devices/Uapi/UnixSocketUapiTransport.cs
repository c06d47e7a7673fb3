using System.Net.Sockets;
using System.Text;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Devices.Uapi;

/// <summary>The UAPI over /var/run/wireguard/NAME.sock. That folder is shared by every network namespace,
/// so a device created inside a namespace is still reached from here.</summary>
internal sealed class UnixSocketUapiTransport(string socketFolder) : IUapiTransport
{
    public const string DefaultFolder = "/var/run/wireguard";

    // A reply to get=1 from a device with many peers is large; the cap only stops a runaway peer process.
    private const int MaxReplyBytes = 64 * 1024 * 1024;

    private static readonly TimeSpan StartupGrace = TimeSpan.FromSeconds(2);

    public string SocketFolder { get; } = socketFolder;

    public string SocketPath(string device) => Path.Combine(SocketFolder, device + ".sock");

    public IReadOnlyList<string> ListDevices() =>
        Directory.Exists(SocketFolder)
            ? Directory.GetFiles(SocketFolder, "*.sock").Select(p => Path.GetFileNameWithoutExtension(p)).Where(Exists).Order().ToList()
            : [];

    /// <summary>Whether a live process serves this device's socket. As in wg(8), a socket file nobody listens on
    /// (connect refused: its wireguard-go died) counts as absent and is removed, so the name is free again.</summary>
    public bool Exists(string device)
    {
        var path = SocketPath(device);
        if (!File.Exists(path))
        {
            return false;
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            RemoveStaleSocket(path);
            return false;
        }
        catch (SocketException)
        {
            // Any other failure (e.g. no permission) is wg's "it exists": the exchange will report the real error.
            return File.Exists(path);
        }
    }

    public async Task<string> ExchangeAsync(string device, string request, CancellationToken cancellationToken)
    {
        var path = SocketPath(device);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused || !File.Exists(path))
        {
            RemoveStaleSocket(path);
            throw new WireGuardDeviceNotFoundException(device);
        }
        catch (SocketException e)
        {
            throw new WireGuardException($"WireGuard device '{device}' does not answer on {path}: {e.Message}", e);
        }

        await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        return await ReadReplyAsync(device, socket, cancellationToken).ConfigureAwait(false);
    }

    // wg(8) checks S_ISSOCK before unlinking; .NET cannot see a file's type, so this follows wireguard-go instead,
    // which removes whatever refuses connections at that path before it binds its own socket. The folder is
    // WireGuard's own (root-owned), so nothing else is expected there.
    private static void RemoveStaleSocket(string path)
    {
        // A starting wireguard-go refuses connections between its bind() and listen(); a file that new is not
        // stale, and deleting it would leave that device without a control socket.
        if (DateTime.UtcNow - File.GetLastWriteTimeUtc(path) < StartupGrace)
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Another process cleaned it up or took the name first; either way it is not ours to report.
        }
        catch (UnauthorizedAccessException)
        {
            // Without rights to the folder the stale file stays; it still counts as absent.
        }
    }

    private static async Task<string> ReadReplyAsync(string device, Socket socket, CancellationToken cancellationToken)
    {
        var reply = new StringBuilder();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                // What arrived is only part of the device: decoding it would drop peers without a word.
                throw new UapiProtocolException(device, "the connection closed before the reply's final errno line.");
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
