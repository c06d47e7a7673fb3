using System.Net.Sockets;
using System.Text.Json;

namespace ImpVpn.Core.Selling;

/// <summary>
/// Another process's side of a running seller's control channel (<see cref="SellerControl"/>): its status, a request
/// to stop, and the wait until it has stopped. No seller listening (no socket file, or a connection refused: a seller
/// that died leaves its file behind) is "not running" at once, never a wait; any other failure to connect (access
/// denied) or a broken exchange is a <see cref="SellerControlException"/>; a seller that accepts but does not answer
/// within <see cref="SellerControl.ExchangeTimeout"/> is a <see cref="TimeoutException"/>.
/// </summary>
public static class SellerControlClient
{
    private static readonly TimeSpan StopPause = TimeSpan.FromMilliseconds(100);

    /// <summary>The running seller's status, or null when no seller runs on the store at <paramref name="storeRoot"/>.</summary>
    public static async Task<SellerStatus?> StatusAsync(string storeRoot, CancellationToken cancellationToken)
    {
        var answer = await AskAsync(storeRoot, new SellerControl.Request("status"), cancellationToken).ConfigureAwait(false);
        return answer?.Status;
    }

    /// <summary>Asks the running seller to stop (and, with <paramref name="withdraw"/>, to take its interface and
    /// firewall off the host); false when no seller runs there. Returns once the seller has the request, not once it
    /// has stopped: see <see cref="WaitForStopAsync"/>.</summary>
    public static async Task<bool> RequestStopAsync(string storeRoot, bool withdraw, CancellationToken cancellationToken)
    {
        var answer = await AskAsync(storeRoot, new SellerControl.Request("stop", withdraw), cancellationToken).ConfigureAwait(false);
        return answer?.Stopping == true;
    }

    /// <summary>Waits until the seller that answered <paramref name="stopping"/> has stopped, at most
    /// <paramref name="wait"/>; says whether it did. A seller closes its control socket last, after it has released
    /// the store's seller role (<see cref="VpnSeller.StopAsync"/>), so no answer on the socket means the store is
    /// free. A seller that answers as another process, or as started at another time, is a new one: the old one has
    /// stopped. The store's lock is never taken here: taking it even for an instant could make a seller starting at
    /// that moment fail as if the store were busy.</summary>
    public static async Task<bool> WaitForStopAsync(string storeRoot, SellerStatus stopping, TimeSpan wait, TimeProvider? clock = null, CancellationToken cancellationToken = default)
    {
        clock ??= TimeProvider.System;
        var deadline = clock.GetUtcNow() + wait;
        while (await StatusWhileStoppingAsync(storeRoot, stopping, cancellationToken).ConfigureAwait(false) is { } status
            && status.ProcessId == stopping.ProcessId
            && status.StartedAt == stopping.StartedAt)
        {
            if (clock.GetUtcNow() >= deadline)
            {
                return false;
            }

            await Task.Delay(StopPause, clock, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    // A stopping seller closes its socket under whatever exchange is under way (the connection reset, or closed
    // without an answer): that is the stop going on, so it reads as the same seller still answering, and is asked again.
    private static async Task<SellerStatus?> StatusWhileStoppingAsync(string storeRoot, SellerStatus stopping, CancellationToken cancellationToken)
    {
        try
        {
            return await StatusAsync(storeRoot, cancellationToken).ConfigureAwait(false);
        }
        catch (SellerControlException e) when (!e.AccessDenied)
        {
            return stopping;
        }
    }

    /// <summary>Whether a failure to connect to a control socket means that no seller listens there: refused (a
    /// seller that died left its file, or the file is no socket) or no such file (gone between looking and
    /// connecting). Anything else, such as access denied, says nothing about whether a seller runs.</summary>
    internal static bool MeansNotRunning(SocketError error) =>
        error is SocketError.ConnectionRefused or SocketError.AddressNotAvailable;

    private static async Task<SellerControl.Answer?> AskAsync(string storeRoot, SellerControl.Request request, CancellationToken cancellationToken)
    {
        var path = SellerControl.SocketPath(storeRoot);
        if (!File.Exists(path))
        {
            return null;
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var exchange = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        exchange.CancelAfter(SellerControl.ExchangeTimeout);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), exchange.Token).ConfigureAwait(false);
        }
        catch (SocketException e) when (MeansNotRunning(e.SocketErrorCode))
        {
            return null;
        }
        catch (SocketException e)
        {
            throw new SellerControlException(path, $"Could not connect to the seller's control socket {path}: {e.Message}", e.SocketErrorCode == SocketError.AccessDenied, e);
        }
        catch (ArgumentException)
        {
            // A path that cannot be a socket address here: no seller can be listening there either.
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The seller's control socket {path} did not accept within {SellerControl.ExchangeTimeout.TotalSeconds:0} s.");
        }

        try
        {
            var line = JsonSerializer.SerializeToUtf8Bytes(request, SellerControl.Json).Append((byte)'\n').ToArray();
            await socket.SendAsync(line, SocketFlags.None, exchange.Token).ConfigureAwait(false);
            // A status is small; the bound keeps a misbehaving listener from filling memory.
            var answer = await SellerControl.ReadLineAsync(socket, 64 * 1024, exchange.Token).ConfigureAwait(false)
                ?? throw new SellerControlException(path, $"The seller's control socket {path} closed without an answer.");
            return JsonSerializer.Deserialize<SellerControl.Answer>(answer, SellerControl.Json) is { Ok: true } ok
                ? ok
                : throw new SellerControlException(path, $"The seller's control socket {path} refused the request.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The seller on {storeRoot} did not answer within {SellerControl.ExchangeTimeout.TotalSeconds:0} s.");
        }
        catch (JsonException e)
        {
            throw new SellerControlException(path, $"The seller's control socket {path} answered something that is not its answer: {e.Message}", inner: e);
        }
        catch (SocketException e)
        {
            throw new SellerControlException(path, $"The seller's control socket {path} dropped the connection: {e.Message}", inner: e);
        }
    }
}
