using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace ImpVpn.Bench;

/// <summary>TCP throughput through a tunnel with iperf3: a server bound to one side's tunnel address, a client in
/// the other namespace, each client run bounded by -t and a process timeout, the result read from its JSON.</summary>
internal static class Iperf3
{
    /// <summary>iperf3's port; a seller's firewall must let buyers reach it.</summary>
    public const int Port = 5201;

    /// <summary>Starts `iperf3 -s` in <paramref name="ns"/>, bound to <paramref name="address"/>; dispose to stop it.</summary>
    public static IDisposable StartServer(string ns, string address) =>
        new Server(BoundedCommand.Start(ns, "iperf3", "-s", "-B", address, "-p", Port.ToString(CultureInfo.InvariantCulture)));

    /// <summary>One `iperf3 -c` run of <paramref name="seconds"/> (after one omitted second of slow start) from
    /// <paramref name="ns"/> to <paramref name="server"/>; <paramref name="reverse"/> has the server send (-R).
    /// Connection refused (the server not listening yet) is tried again for a few seconds.</summary>
    public static async Task<Iperf3Result> RunClientAsync(string ns, string server, int seconds, bool reverse)
    {
        string[] arguments = ["-c", server, "-p", Port.ToString(CultureInfo.InvariantCulture), "-t", seconds.ToString(CultureInfo.InvariantCulture), "-O", "1", "-J", .. reverse ? new[] { "-R" } : []];
        var timeout = TimeSpan.FromSeconds(seconds + 20);
        var started = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return Parse(await BoundedCommand.RunAsync(ns, timeout, "iperf3", arguments));
            }
            catch (InvalidOperationException e) when (e.Message.Contains("refused", StringComparison.OrdinalIgnoreCase) && started.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(200);
            }
        }
    }

    private static Iperf3Result Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException("iperf3: " + error.GetString());
        }

        var end = document.RootElement.GetProperty("end");
        var received = end.GetProperty("sum_received").GetProperty("bits_per_second").GetDouble();
        var bytes = end.GetProperty("sum_received").GetProperty("bytes").GetInt64();
        var retransmits = end.GetProperty("sum_sent").TryGetProperty("retransmits", out var r) ? r.GetInt64() : 0;
        return new Iperf3Result(received, bytes, retransmits);
    }

    private sealed class Server(Process process) : IDisposable
    {
        public void Dispose()
        {
            BoundedCommand.Stop(process);
            process.Dispose();
        }
    }
}

/// <summary>What one iperf3 run measured: the receiver's rate and bytes (without the omitted first second), and the
/// sender's TCP retransmissions.</summary>
internal sealed record Iperf3Result(double ReceivedBitsPerSecond, long ReceivedBytes, long Retransmits);
