using System.Diagnostics;
using System.Text.Json;

namespace ImpVpn.Demo;

/// <summary>The LND simulator started as its own process, as a user would run it; stopped on dispose.</summary>
internal sealed class SimulatorProcess : IAsyncDisposable
{
    private readonly Process _process;

    private SimulatorProcess(Process process, string directory, JsonElement state)
    {
        _process = process;
        Directory = directory;
        State = state;
    }

    public string Directory { get; }

    public JsonElement State { get; }

    public static async Task<SimulatorProcess> StartAsync(string simulatorDll, string directory, params string[] nodes)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { simulatorDll, "--dir", directory }.Concat(nodes.SelectMany(n => new[] { "--node", n })))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the simulator.");
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            Console.WriteLine($"   simulator: {line}");
            if (line == "ready")
            {
                var state = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "sim.json"))).RootElement;
                return new SimulatorProcess(process, directory, state);
            }
        }

        throw new InvalidOperationException("The simulator stopped before it was ready: " + await process.StandardError.ReadToEndAsync());
    }

    public JsonElement Node(string name) => State.GetProperty("nodes").EnumerateArray().First(n => n.GetProperty("name").GetString() == name);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
