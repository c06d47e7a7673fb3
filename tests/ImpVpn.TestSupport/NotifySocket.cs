using System.Net.Sockets;
using System.Text;

namespace ImpVpn.TestSupport;

/// <summary>The service manager's end of sd_notify: a Unix datagram socket whose path goes to the daemon as
/// NOTIFY_SOCKET. Every datagram is one notification ("READY=1", "STOPPING=1").</summary>
public sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public NotifySocket(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
    }

    public string Path { get; }

    /// <summary>The next notification, or null when none comes within <paramref name="wait"/>.</summary>
    public async Task<string?> ReceiveAsync(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        var buffer = new byte[4096];
        try
        {
            var count = await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            return Encoding.UTF8.GetString(buffer, 0, count);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        File.Delete(Path);
    }
}
