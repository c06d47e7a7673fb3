using System.Net;
using System.Net.Sockets;

namespace ImpVpn.Core.Selling;

/// <summary>How the seller reaches its own public host:port before settling a port forward's claim: a TCP connect
/// from where the seller's network is (a test puts it in the seller's namespace).</summary>
public interface IConnectBack
{
    /// <summary>Whether a TCP connection to <paramref name="host"/>:<paramref name="port"/> is set up within
    /// <paramref name="within"/>; it is closed at once.</summary>
    Task<bool> CanConnectAsync(string host, int port, TimeSpan within, CancellationToken cancellationToken);
}

/// <summary>A connect from this process's own network: the host's, which is where a seller runs.</summary>
public sealed class SocketConnectBack : IConnectBack
{
    public async Task<bool> CanConnectAsync(string host, int port, TimeSpan within, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(within);
        try
        {
            if (IPAddress.TryParse(host, out var address))
            {
                using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(new IPEndPoint(address, port), limit.Token).ConfigureAwait(false);
            }
            else
            {
                using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(new DnsEndPoint(host, port), limit.Token).ConfigureAwait(false);
            }

            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Nothing answered within the bound (a dropped SYN leaves a connect hanging).
            return false;
        }
    }
}
