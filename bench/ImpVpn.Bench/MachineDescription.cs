using System.Runtime.InteropServices;

namespace ImpVpn.Bench;

/// <summary>What the numbers were measured on: they mean little without it.</summary>
internal sealed record MachineDescription(string Cpu, int Cores, string Memory, string Os, string Kernel, string Runtime)
{
    public static MachineDescription Read() => new(
        ReadField("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
        Environment.ProcessorCount,
        ReadField("/proc/meminfo", "MemTotal") ?? "unknown",
        ReadOsRelease() ?? RuntimeInformation.OSDescription,
        File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : Environment.OSVersion.VersionString,
        RuntimeInformation.FrameworkDescription);

    private static string? ReadField(string file, string key) =>
        File.Exists(file)
            ? File.ReadLines(file).Where(l => l.StartsWith(key, StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf(':') + 1)..].Trim()).FirstOrDefault()
            : null;

    private static string? ReadOsRelease() =>
        File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").Where(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
                .Select(l => l["PRETTY_NAME=".Length..].Trim('"')).FirstOrDefault()
            : null;
}
