using System.Diagnostics;
using ImpVpn.Core.Daemon;
using ImpVpn.Core.WireGuard.Commands;

namespace ImpVpn.Daemon.Tests;

/// <summary>The service definitions the installer writes: a systemd unit that systemd-analyze accepts, enabled into
/// a root of its own; a clear refusal where systemd is not PID 1; the sc.exe calls of a Windows service.</summary>
public sealed class ServiceDefinitionTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly string _root = Directory.CreateTempSubdirectory("dmn-root-").FullName;

    private static DaemonServiceDefinition Definition(bool refresh) =>
        new(DaemonInstallation.DotnetHost() ?? "/usr/bin/dotnet", "/opt/impvpn/0.3.0/impvpnd.dll", "/etc/impvpn/impvpnd.json", "/var/lib/impvpn", "0.3.0", refresh);

    [SkippableFact]
    public async Task The_unit_is_enabled_under_its_root_and_passes_systemd_analyze_verify()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && SystemCommandLocator.Find("systemd-analyze") is not null, "needs systemctl and systemd-analyze");
        var manager = new SystemdServiceManager(_root);
        await manager.InstallAsync(Definition(refresh: false), None);

        Assert.True(File.Exists(Path.Combine(_root, "etc/systemd/system/multi-user.target.wants/impvpnd.service")), "enabled");
        var (exitCode, output) = Run("systemd-analyze", "verify", manager.DefinitionPath);
        Assert.True(exitCode == 0 && output.Length == 0, $"systemd-analyze verify: exit {exitCode}: {output}");
        var status = await manager.QueryAsync(None);
        Assert.True(status.Installed);
        Assert.Equal("0.3.0", status.Version);
        Assert.Equal("/etc/impvpn/impvpnd.json", status.ConfigPath);
        Assert.Equal(DaemonServiceStatus.UnknownState, status.State);

        await manager.UninstallAsync(None);
        Assert.False(File.Exists(manager.DefinitionPath));
        Assert.False(File.Exists(Path.Combine(_root, "etc/systemd/system/multi-user.target.wants/impvpnd.service")), "disabled");
        Assert.False((await manager.QueryAsync(None)).Installed);
    }

    [Fact]
    public void The_unit_keeps_only_the_capabilities_its_roles_need()
    {
        var seller = SystemdUnit.Render(Definition(refresh: false));
        Assert.Contains("Type=notify\n", seller, StringComparison.Ordinal);
        Assert.Contains("CapabilityBoundingSet=CAP_NET_ADMIN CAP_DAC_READ_SEARCH\n", seller, StringComparison.Ordinal);
        Assert.Contains("ExecStart=", seller, StringComparison.Ordinal);
        Assert.Contains("/opt/impvpn/0.3.0/impvpnd.dll --config /etc/impvpn/impvpnd.json\n", seller, StringComparison.Ordinal);
        Assert.Contains("ReadWritePaths=/var/lib/impvpn -/run/wireguard\n", seller, StringComparison.Ordinal);
        Assert.Contains("DeviceAllow=/dev/net/tun rw\n", seller, StringComparison.Ordinal);
        Assert.Contains("RestartPreventExitStatus=2\n", seller, StringComparison.Ordinal);
        Assert.Contains("KillMode=process\n", seller, StringComparison.Ordinal);
        Assert.Contains("CapabilityBoundingSet=CAP_NET_ADMIN CAP_DAC_READ_SEARCH CAP_NET_RAW\n", SystemdUnit.Render(Definition(refresh: true)), StringComparison.Ordinal);
        Assert.Contains("AmbientCapabilities=CAP_NET_ADMIN CAP_DAC_READ_SEARCH CAP_NET_RAW\n", SystemdUnit.Render(Definition(refresh: true)), StringComparison.Ordinal);

        var spaced = Definition(false) with { ConfigPath = "/etc/imp vpn/impvpnd.json" };
        Assert.Equal(("/opt/impvpn/0.3.0/impvpnd.dll", "/etc/imp vpn/impvpnd.json"), SystemdUnit.Read(SystemdUnit.Render(spaced)));
    }

    [SkippableFact]
    public async Task Where_systemd_is_not_pid_1_start_and_stop_say_so()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && !Directory.Exists("/run/systemd/system"), "only where systemd is not PID 1 (as in this container)");
        var manager = new SystemdServiceManager("/");

        var start = await Assert.ThrowsAsync<ServiceManagerUnavailableException>(() => manager.StartAsync(None));
        Assert.Contains("PID 1 is not systemd", start.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ServiceManagerUnavailableException>(() => manager.StopAsync(None));
    }

    [Fact]
    public async Task A_windows_service_is_created_delayed_auto_restarted_on_failure_and_read_back()
    {
        var definition = new DaemonServiceDefinition(@"C:\Program Files\dotnet\dotnet.exe", @"C:\Program Files\ImpVpn\0.3.0\impvpnd.dll",
            @"C:\ProgramData\ImpVpn\impvpnd.json", @"C:\ProgramData\ImpVpn\store", "0.3.0", false);
        var commands = WindowsServiceManager.InstallCommands(definition);

        Assert.Equal(["create", "impvpnd", "binPath=", "\"C:\\Program Files\\dotnet\\dotnet.exe\" \"C:\\Program Files\\ImpVpn\\0.3.0\\impvpnd.dll\" --config \"C:\\ProgramData\\ImpVpn\\impvpnd.json\"",
            "start=", "delayed-auto", "DisplayName=", "ImpVpn daemon 0.3.0"], commands[0]);
        Assert.Contains(commands, c => c[0] == "failure" && c.Contains("restart/10000/restart/10000/restart/60000"));

        var runner = new ScriptedRunner(new Dictionary<string, string>
        {
            ["queryex"] = "SERVICE_NAME: impvpnd\n        STATE              : 4  RUNNING\n        PID                : 4242\n",
            ["qc"] = "        BINARY_PATH_NAME   : \"C:\\Program Files\\dotnet\\dotnet.exe\" \"C:\\Program Files\\ImpVpn\\0.3.0\\impvpnd.dll\" --config \"C:\\ProgramData\\ImpVpn\\impvpnd.json\"\n",
        });
        var status = await new WindowsServiceManager(runner).QueryAsync(None);
        Assert.Equal((true, "RUNNING", 4242, @"C:\ProgramData\ImpVpn\impvpnd.json"), (status.Installed, status.State, status.ProcessId, status.ConfigPath));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static (int ExitCode, string Output) Run(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Trim());
    }

    private sealed class ScriptedRunner(Dictionary<string, string> answers) : ICommandRunner
    {
        public Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
            Task.FromResult(new CommandResult(0, answers.GetValueOrDefault(arguments[0], string.Empty), string.Empty));

        public Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, string standardInput, CancellationToken cancellationToken) =>
            RunAsync(file, arguments, cancellationToken);
    }
}
