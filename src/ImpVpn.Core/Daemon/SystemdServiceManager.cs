using ImpVpn.Core.WireGuard.Commands;

namespace ImpVpn.Core.Daemon;

/// <summary>
/// impvpnd as a systemd system unit: the unit file in <c>&lt;root&gt;/etc/systemd/system</c>, enabled with
/// systemctl (offline, with <c>--root</c>, when the root is not "/"), started, stopped and asked about through the
/// running systemd. Where systemd is not PID 1 (containers, chroots) those last three throw
/// <see cref="ServiceManagerUnavailableException"/>; the unit is written and enabled all the same.
/// </summary>
public sealed class SystemdServiceManager : IDaemonServiceManager
{
    private readonly ICommandRunner _runner;
    private readonly string _root;
    private readonly Func<bool> _systemdRunning;

    public SystemdServiceManager(string root = "/")
        : this(ProcessCommandRunner.Instance, root, () => Directory.Exists("/run/systemd/system"))
    {
    }

    /// <param name="systemdRunning">sd_booted(3)'s test: whether /run/systemd/system exists.</param>
    internal SystemdServiceManager(ICommandRunner runner, string root, Func<bool> systemdRunning)
    {
        _runner = runner;
        _root = Path.GetFullPath(root);
        _systemdRunning = systemdRunning;
    }

    public string DefinitionPath => Path.Combine(_root, "etc", "systemd", "system", SystemdUnit.FileName);

    private bool OtherRoot => _root != "/";

    public async Task InstallAsync(DaemonServiceDefinition definition, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DefinitionPath)!);
        // A unit holds no secret (the configuration it names is 0600): readable as systemd's units are.
        await File.WriteAllTextAsync(DefinitionPath, SystemdUnit.Render(definition), cancellationToken).ConfigureAwait(false);
        if (!OtherRoot && _systemdRunning())
        {
            await SystemctlAsync(cancellationToken, "daemon-reload").ConfigureAwait(false);
        }

        // enable works offline (symlinks in the root's multi-user.target.wants) whether or not systemd runs.
        await SystemctlAsync(cancellationToken, [.. RootArgument(), "enable", SystemdUnit.FileName]).ConfigureAwait(false);
    }

    public Task StartAsync(CancellationToken cancellationToken) => RunningSystemctlAsync(cancellationToken, "start", SystemdUnit.FileName);

    public Task StopAsync(CancellationToken cancellationToken) => RunningSystemctlAsync(cancellationToken, "stop", SystemdUnit.FileName);

    public async Task<DaemonServiceStatus> QueryAsync(CancellationToken cancellationToken)
    {
        var installed = File.Exists(DefinitionPath);
        var (daemonPath, configPath) = installed ? SystemdUnit.Read(await File.ReadAllTextAsync(DefinitionPath, cancellationToken).ConfigureAwait(false)) : (null, null);
        var version = SystemdUnit.VersionOf(daemonPath);
        if (!installed)
        {
            return new DaemonServiceStatus(false, "not installed", null, null, null, DefinitionPath);
        }

        if (OtherRoot || !_systemdRunning())
        {
            return new DaemonServiceStatus(true, DaemonServiceStatus.UnknownState, null, configPath, version, DefinitionPath,
                OtherRoot ? $"installed under {_root}, not on this running system" : "systemd is not PID 1 here");
        }

        var show = await SystemctlAsync(cancellationToken, "show", SystemdUnit.FileName, "-p", "ActiveState", "-p", "MainPID").ConfigureAwait(false);
        var values = show.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1].Trim(), StringComparer.Ordinal);
        var pid = values.TryGetValue("MainPID", out var text) && int.TryParse(text, out var parsed) && parsed > 0 ? parsed : (int?)null;
        return new DaemonServiceStatus(true, values.GetValueOrDefault("ActiveState") ?? DaemonServiceStatus.UnknownState, pid, configPath, version, DefinitionPath);
    }

    public async Task UninstallAsync(CancellationToken cancellationToken)
    {
        if (!OtherRoot && _systemdRunning())
        {
            await SystemctlAsync(cancellationToken, "stop", SystemdUnit.FileName).ConfigureAwait(false);
        }

        if (File.Exists(DefinitionPath))
        {
            await SystemctlAsync(cancellationToken, [.. RootArgument(), "disable", SystemdUnit.FileName]).ConfigureAwait(false);
            File.Delete(DefinitionPath);
        }

        if (!OtherRoot && _systemdRunning())
        {
            await SystemctlAsync(cancellationToken, "daemon-reload").ConfigureAwait(false);
        }
    }

    private string[] RootArgument() => OtherRoot ? ["--root=" + _root] : [];

    private Task<string> RunningSystemctlAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        if (OtherRoot)
        {
            throw new ServiceManagerUnavailableException("systemd", $"the unit is installed under {_root}, not on this running system.");
        }

        return _systemdRunning()
            ? SystemctlAsync(cancellationToken, arguments)
            : throw new ServiceManagerUnavailableException("systemd", "PID 1 is not systemd (a container or chroot?); start impvpnd another way, or on a host booted with systemd.");
    }

    private async Task<string> SystemctlAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var result = await _runner.RunAsync("systemctl", arguments, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            var said = (result.Error + result.Output).Trim();
            // systemd not PID 1 after all (the test above passed a bind-mounted /run, say): the same refusal.
            if (said.Contains("has not been booted with systemd", StringComparison.Ordinal) || said.Contains("Failed to connect to bus", StringComparison.Ordinal))
            {
                throw new ServiceManagerUnavailableException("systemd", said);
            }

            throw new ServiceManagerException("systemctl " + string.Join(' ', arguments), result.ExitCode, said);
        }

        return result.Output;
    }
}
