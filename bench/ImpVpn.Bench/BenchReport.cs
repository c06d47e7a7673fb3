using System.Globalization;
using System.Text;

namespace ImpVpn.Bench;

/// <summary>Collects one benchmark's results and renders them as markdown with the machine and the command.</summary>
internal sealed class BenchReport(string name, string description, MachineDescription machine, string command)
{
    private readonly List<string> _rows = [];
    private readonly List<string> _notes = [];
    private readonly List<string> _byteRows = [];
    private readonly List<string> _rateRows = [];

    public void Add(string measurement, IReadOnlyList<TimeSpan> samples)
    {
        var sorted = samples.Order().ToList();
        string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);
        var p95 = sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(sorted.Count * 0.95) - 1)];
        _rows.Add($"| {measurement} | {sorted.Count} | {Ms(sorted[0])} | {Ms(sorted[sorted.Count / 2])} | {Ms(p95)} | {Ms(sorted[^1])} |");
    }

    /// <summary>A measurement in bytes (allocations), rendered in a table of its own, in KB.</summary>
    public void AddBytes(string measurement, IReadOnlyList<long> samples)
    {
        var sorted = samples.Order().ToList();
        string Kb(long b) => (b / 1024.0).ToString("0.#", CultureInfo.InvariantCulture);
        var p95 = sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(sorted.Count * 0.95) - 1)];
        _byteRows.Add($"| {measurement} | {sorted.Count} | {Kb(sorted[0])} | {Kb(sorted[sorted.Count / 2])} | {Kb(p95)} | {Kb(sorted[^1])} |");
    }

    /// <summary>A rate (things done per second, each sample one run), in a table of its own. Its bad tail is the
    /// low end, so the table gives the 5th percentile where the others give the 95th.</summary>
    public void AddRate(string measurement, IReadOnlyList<double> perSecond)
    {
        var sorted = perSecond.Order().ToList();
        string R(double r) => r.ToString("0.#", CultureInfo.InvariantCulture);
        var p5 = sorted[Math.Max(0, (int)Math.Ceiling(sorted.Count * 0.05) - 1)];
        _rateRows.Add($"| {measurement} | {sorted.Count} | {R(sorted[0])} | {R(p5)} | {R(sorted[sorted.Count / 2])} | {R(sorted[^1])} |");
    }

    public void Note(string note) => _notes.Add(note);

    public string Render()
    {
        var text = new StringBuilder();
        text.Append("# Benchmark: ").Append(name).Append("\n\n").Append(description).Append("\n\n");
        text.Append("- Measured: ").Append(DateTimeOffset.UtcNow.ToString("u", CultureInfo.InvariantCulture)).Append('\n');
        text.Append("- Command: `").Append(command).Append("`\n");
        text.Append("- Machine: ").Append(machine.Cpu).Append(", ").Append(machine.Cores).Append(" cores, ")
            .Append(machine.Memory).Append(" memory; ").Append(machine.Os).Append(", kernel ").Append(machine.Kernel)
            .Append("; ").Append(machine.Runtime).Append("\n\n");
        if (_rows.Count > 0)
        {
            text.Append("| measurement | samples | min ms | median ms | p95 ms | max ms |\n|---|---|---|---|---|---|\n");
            _rows.ForEach(r => text.Append(r).Append('\n'));
        }

        if (_byteRows.Count > 0)
        {
            text.Append(_rows.Count > 0 ? "\n" : "").Append("| allocated | samples | min KB | median KB | p95 KB | max KB |\n|---|---|---|---|---|---|\n");
            _byteRows.ForEach(r => text.Append(r).Append('\n'));
        }

        if (_rateRows.Count > 0)
        {
            text.Append(_rows.Count + _byteRows.Count > 0 ? "\n" : "").Append("| rate | samples | min /s | p5 /s | median /s | max /s |\n|---|---|---|---|---|---|\n");
            _rateRows.ForEach(r => text.Append(r).Append('\n'));
        }

        _notes.ForEach(n => text.Append('\n').Append(n).Append('\n'));
        return text.ToString();
    }

    public string Save(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name + ".md");
        File.WriteAllText(path, Render());
        return path;
    }
}
