using System.Net.Sockets;
using System.Text.Json;
using ImpVpn.Core.Store;

namespace ImpVpn.Core.Selling;

/// <summary>
/// Another process's side of a running seller's control channel (<see cref="SellerControl"/>): its status, a request
/// to stop, and the wait until it has given up the store's seller role. No seller listening (no socket file, or a
/// connection refused: a seller that died leaves its file behind) is "not running" at once, never a wait; a seller
/// that accepts but does not answer within <see cref="SellerControl.ExchangeTimeout"/> is a
/// <see cref="TimeoutException"/>.
/// </summary>
public static class SellerControlClient
{
    private static readonly TimeSpan RolePause = TimeSpan.FromMilliseconds(100);

    /// <summary>The running seller's status, or null when no seller runs on the store at <paramref name="storeRoot"/>.</summary>
    public static async Task<SellerStatus?> StatusAsync(string storeRoot, CancellationToken cancellationToken)
    {
        var answer = await AskAsync(storeRoot, new SellerControl.Request("status"), cancellationToken).ConfigureAwait(false);
        return answer?.Status;
    }

    /// <summary>Asks the running seller to stop (and, with <paramref name="withdraw"/>, to take its interface and
    /// firewall off the host); false when no seller runs there. Returns once the seller has the request, not once it
    /// has stopped: see <see cref="WaitForRoleReleaseAsync"/>.</summary>
    public static async Task<bool> RequestStopAsync(string storeRoot, bool withdraw, CancellationToken cancellationToken)
    {
        var answer = await AskAsync(storeRoot, new SellerControl.Request("stop", withdraw), cancellationToken).ConfigureAwait(false);
        return answer?.Stopping == true;
    }

    /// <summary>Waits until no process holds the seller role on <paramref name="store"/> (the seller has finished
    /// its requests and released <c>seller.lock</c>), at most <paramref name="wait"/>; says whether it was released.</summary>
    public static async Task<bool> WaitForRoleReleaseAsync(ContractStore store, TimeSpan wait, TimeProvider? clock = null, CancellationToken cancellationToken = default)
    {
        clock ??= TimeProvider.System;
        var deadline = clock.GetUtcNow() + wait;
        while (store.IsRoleHeld("seller"))
        {
            if (clock.GetUtcNow() >= deadline)
            {
                return false;
            }

            await Task.Delay(RolePause, clock, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

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
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            // Refused (a seller that died left its file), gone between looking and connecting, or a path that cannot
            // be a socket address here: no seller can be listening there.
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
                ?? throw new IOException($"The seller's control socket {path} closed without an answer.");
            return JsonSerializer.Deserialize<SellerControl.Answer>(answer, SellerControl.Json) is { Ok: true } ok
                ? ok
                : throw new IOException($"The seller's control socket {path} refused the request.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The seller on {storeRoot} did not answer within {SellerControl.ExchangeTimeout.TotalSeconds:0} s.");
        }
        catch (JsonException e)
        {
            throw new IOException($"The seller's control socket {path} answered something that is not its answer: {e.Message}", e);
        }
        catch (SocketException e)
        {
            throw new IOException($"The seller's control socket {path} dropped the connection: {e.Message}", e);
        }
    }
}
