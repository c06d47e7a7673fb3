using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ImpVpn.TestSupport;

/// <summary>
/// An HTTP service in a network namespace that answers every request with the source address it sees, so a test
/// learns what address a packet arrived from after every NAT on the way. It listens on all addresses of the
/// namespace; Dispose stops it. No helper program is needed: the listening socket is made inside the namespace the
/// way <see cref="NamespaceSockets"/> makes its own.
/// </summary>
public sealed class HttpEcho : IDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    private HttpEcho(TcpListener listener)
    {
        _listener = listener;
        _serving = Task.Run(ServeAsync);
    }

    public static HttpEcho Start(string ns, int port) => new(NamespaceSockets.InNamespace(ns, () => NamespaceSockets.DualStack(port)));

    /// <summary>The body of a GET to <paramref name="address"/>:<paramref name="port"/> from <paramref name="ns"/>
    /// (the source address the echo saw), or null when no answer came within <paramref name="within"/> (a
    /// limit, not a measurement).</summary>
    public static async Task<string?> GetAsync(string ns, string address, int port, TimeSpan within)
    {
        var target = IPAddress.Parse(address);
        using var client = NamespaceSockets.InNamespace(ns, () => new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        using var limit = new CancellationTokenSource(within);
        try
        {
            await client.ConnectAsync(target, port, limit.Token);
            await client.SendAsync(Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {new IPEndPoint(target, port)}\r\nConnection: close\r\n\r\n"), limit.Token);
            var response = await ReadToEndAsync(client, limit.Token);
            var body = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            return response.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) && body >= 0 ? response[(body + 4)..] : null;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _serving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The accept loop ends by the listener's stop; how it ended does not matter here.
        }

        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(connection));
        }
    }

    private async Task AnswerAsync(Socket connection)
    {
        using (connection)
        {
            try
            {
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                limit.CancelAfter(TimeSpan.FromSeconds(10));
                var request = new StringBuilder();
                var buffer = new byte[1024];
                while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await connection.ReceiveAsync(buffer, limit.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                // IPv4 arrives on the dual-mode socket as ::ffff:a.b.c.d; reported as the plain address it was.
                var remote = ((IPEndPoint)connection.RemoteEndPoint!).Address;
                var source = (remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote).ToString();
                var answer = $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {source.Length}\r\nConnection: close\r\n\r\n{source}";
                await connection.SendAsync(Encoding.ASCII.GetBytes(answer), limit.Token);
                connection.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // A client gone or a test over: nothing to answer.
            }
        }
    }

    private static async Task<string> ReadToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        var response = new StringBuilder();
        var buffer = new byte[1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, cancellationToken)) > 0)
        {
            response.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return response.ToString();
    }
}
