using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace ImpVpn.TestSupport;

/// <summary>
/// Two network namespaces joined by a veth pair (192.168.N.1 ↔ 192.168.N.2), the underlay a tunnel runs over.
/// Names carry random hex so parallel or leftover runs never collide; Dispose kills every process inside the
/// namespaces (wireguard-go) and deletes them, also after a failed test.
/// </summary>
public sealed class NetworkNamespacePair : IDisposable
{
    private NetworkNamespacePair(string tag, int subnet)
    {
        Tag = tag;
        Subnet = subnet;
        A = "ivt-a-" + tag;
        B = "ivt-b-" + tag;
    }

    public string Tag { get; }

    public int Subnet { get; }

    public string A { get; }

    public string B { get; }

    public string UnderlayA => $"192.168.{Subnet}.1";

    public string UnderlayB => $"192.168.{Subnet}.2";

    public static NetworkNamespacePair Create()
    {
        var tag = Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
        var pair = new NetworkNamespacePair(tag, RandomNumberGenerator.GetInt32(100, 250));
        try
        {
            Run("ip", "netns", "add", pair.A);
            Run("ip", "netns", "add", pair.B);
            Run("ip", "link", "add", "iva" + tag, "netns", pair.A, "type", "veth", "peer", "name", "ivb" + tag, "netns", pair.B);
            Run("ip", "-n", pair.A, "address", "add", pair.UnderlayA + "/24", "dev", "iva" + tag);
            Run("ip", "-n", pair.B, "address", "add", pair.UnderlayB + "/24", "dev", "ivb" + tag);
            foreach (var (ns, veth) in new[] { (pair.A, "iva" + tag), (pair.B, "ivb" + tag) })
            {
                Run("ip", "-n", ns, "link", "set", "lo", "up");
                Run("ip", "-n", ns, "link", "set", veth, "up");
            }
        }
        catch
        {
            pair.Dispose();
            throw;
        }

        return pair;
    }

    /// <summary>Whether one ping from namespace <paramref name="ns"/> to <paramref name="address"/> is answered.</summary>
    public static bool Ping(string ns, string address, int count = 1, int waitSeconds = 1) =>
        TryRun("ip", "netns", "exec", ns, "ping", "-c", count.ToString(CultureInfo.InvariantCulture), "-W", waitSeconds.ToString(CultureInfo.InvariantCulture), address) == 0;

    public void Dispose()
    {
        foreach (var ns in new[] { A, B })
        {
            TryDelete(ns);
        }
    }

    /// <summary>Kills every process in <paramref name="ns"/>, then deletes it (nothing when it is not there).</summary>
    public static void TryDelete(string ns)
    {
        // SIGTERM first: wireguard-go then removes its socket from the folder every namespace shares.
        var pids = Capture("ip", "netns", "pids", ns).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var pid in pids)
        {
            TryRun("kill", pid);
        }

        foreach (var pid in pids)
        {
            try
            {
                using var process = Process.GetProcessById(int.Parse(pid, CultureInfo.InvariantCulture));
                if (!process.WaitForExit(2000))
                {
                    process.Kill();
                    process.WaitForExit(5000);
                }
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }

        TryRun("ip", "netns", "del", ns);
    }

    public static void Run(string file, params string[] arguments)
    {
        var code = TryRun(file, arguments, out var error);
        if (code != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({code}): {error}");
        }
    }

    private static int TryRun(string file, params string[] arguments) => TryRun(file, arguments, out _);

    private static int TryRun(string file, string[] arguments, out string error)
    {
        using var process = Start(file, arguments);
        error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode;
    }

    public static string Capture(string file, params string[] arguments)
    {
        using var process = Start(file, arguments);
        var output = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    private static Process Start(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }
}
