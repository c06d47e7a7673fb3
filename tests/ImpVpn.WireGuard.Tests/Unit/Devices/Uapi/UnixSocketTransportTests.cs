using System.Net.Sockets;
using System.Text;
using ImpVpn.Core.WireGuard.Devices.Uapi;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.WireGuard.Tests.Unit;

/// <summary>The UAPI socket transport against real Unix sockets in a private temp folder (no WireGuard needed).</summary>
public sealed class UnixSocketTransportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ivt-uapi-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    private UnixSocketUapiTransport Transport => new(_folder);

    /// <summary>A socket file left behind by a process that died: bound, then closed without unlinking.
    /// .NET unlinks the path it bound on dispose, so the socket is bound elsewhere and moved into place.</summary>
    private string LeaveStaleSocket(string device)
    {
        var bound = Path.Combine(_folder, "bound-" + device);
        var path = Path.Combine(_folder, device + ".sock");
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            socket.Bind(new UnixDomainSocketEndPoint(bound));
            socket.Listen();
            File.Move(bound, path);
        }

        // Older than the grace a just-started wireguard-go gets between bind() and listen().
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-5));
        return path;
    }

    private Socket Listen(string device)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(_folder, device + ".sock")));
        socket.Listen();
        return socket;
    }

    [Fact]
    public void A_stale_socket_is_absent_and_its_file_is_removed_like_wg_does()
    {
        var path = LeaveStaleSocket("dead0");

        Assert.Empty(Transport.ListDevices());
        Assert.False(Transport.Exists("dead0"));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Talking_to_a_stale_socket_means_no_such_device()
    {
        var path = LeaveStaleSocket("dead1");

        await Assert.ThrowsAsync<WireGuardDeviceNotFoundException>(() => Transport.ExchangeAsync("dead1", UapiCodec.GetRequest, CancellationToken.None));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_socket_file_that_has_only_just_appeared_is_not_deleted()
    {
        var path = LeaveStaleSocket("new0");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(5));

        Assert.False(Transport.Exists("new0"));
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void A_socket_something_listens_on_exists_and_stays()
    {
        using var listener = Listen("live0");

        Assert.True(Transport.Exists("live0"));
        Assert.Equal(["live0"], Transport.ListDevices());
        Assert.True(File.Exists(Path.Combine(_folder, "live0.sock")));
    }

    [Fact]
    public async Task A_reply_cut_short_by_the_device_closing_is_a_protocol_error()
    {
        using var listener = Listen("cut0");
        var device = Task.Run(async () =>
        {
            // The first connection is the transport's liveness probe, which closes without a request.
            while (true)
            {
                using var connection = await listener.AcceptAsync();
                if (!await ReadRequestAsync(connection))
                {
                    continue;
                }

                await connection.SendAsync(Encoding.ASCII.GetBytes("listen_port=51820\nfwmark=0\n"), SocketFlags.None);
                connection.Shutdown(SocketShutdown.Both);
                return;
            }
        });

        var error = await Assert.ThrowsAsync<UapiProtocolException>(
            () => new UapiDevices(Transport).GetDeviceAsync("cut0", CancellationToken.None));
        await device;

        Assert.Equal("cut0", error.Device);
    }

    /// <summary>Reads one UAPI request (up to its blank line); false when the connection closes first.</summary>
    private static async Task<bool> ReadRequestAsync(Socket connection)
    {
        var request = new StringBuilder();
        var buffer = new byte[256];
        while (!request.ToString().EndsWith("\n\n", StringComparison.Ordinal))
        {
            var read = await connection.ReceiveAsync(buffer, SocketFlags.None);
            if (read == 0)
            {
                return false;
            }

            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return true;
    }
}
