using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace ImpVpn.TestSupport;

/// <summary>
/// TCP sockets that live in a named network namespace, made from inside the test process: a socket belongs to the
/// namespace of the thread that created it for its whole life, so each is created on a fresh thread that first
/// enters the namespace (setns), and then used from anywhere. No helper program (nc, socat, python) is needed on
/// the machine that runs the tests.
/// </summary>
public static partial class NamespaceSockets
{
    private const int CloneNewNet = 0x40000000;

    /// <summary>A listener on every address of <paramref name="ns"/> (0.0.0.0), as a service a host runs for
    /// everyone would be.</summary>
    public static TcpListener ListenOnAllAddresses(string ns, int port) => InNamespace(ns, () =>
    {
        var listener = new TcpListener(IPAddress.Any, port);
        listener.Start();
        return listener;
    });

    /// <summary>A listener on every IPv4 and IPv6 address of <paramref name="ns"/> (one dual-mode socket on ::).</summary>
    public static TcpListener ListenOnAllAddressesDualStack(string ns, int port) => InNamespace(ns, () => DualStack(port));

    /// <summary>A started listener on :: that also takes IPv4 (as ::ffff:a.b.c.d).</summary>
    internal static TcpListener DualStack(int port)
    {
        var listener = new TcpListener(IPAddress.IPv6Any, port);
        listener.Server.DualMode = true;
        listener.Start();
        return listener;
    }

    /// <summary>Whether a TCP connection from <paramref name="ns"/> to <paramref name="address"/>:<paramref name="port"/>
    /// is set up within <paramref name="within"/>. A firewall that drops the SYN leaves a connect hanging, so the
    /// bound is what turns "never" into false; it is a limit, not a measurement.</summary>
    public static async Task<bool> CanConnectAsync(string ns, string address, int port, TimeSpan within)
    {
        var target = IPAddress.Parse(address);
        using var client = InNamespace(ns, () => new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        using var limit = new CancellationTokenSource(within);
        try
        {
            await client.ConnectAsync(target, port, limit.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Runs <paramref name="create"/> on a fresh thread inside <paramref name="ns"/>: what it makes (a socket)
    /// stays in that namespace.</summary>
    internal static T InNamespace<T>(string ns, Func<T> create)
    {
        T? made = default;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                // The thread ends right after: it never runs anything else in the namespace it entered.
                using var handle = File.OpenHandle(Path.Combine("/var/run/netns", ns), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                if (SetNamespace((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns into {ns} failed with errno {Marshal.GetLastPInvokeError()}.");
                }

                made = create();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        return made!;
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNamespace(int fd, int nstype);
}
