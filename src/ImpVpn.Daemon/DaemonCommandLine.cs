namespace ImpVpn.Daemon;

/// <summary>impvpnd's command line: a verb (run, the default; check; withdraw) and --config PATH.</summary>
internal sealed record DaemonCommandLine(string Verb, string ConfigPath)
{
    public const string Usage = "usage: impvpnd [run|check|withdraw] --config PATH   (docs/daemon.md describes the file)";

    private static readonly string[] Verbs = ["run", "check", "withdraw"];

    public static DaemonCommandLine? Parse(IReadOnlyList<string> args)
    {
        var verb = "run";
        string? config = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] is "--config" or "-c" && i + 1 < args.Count)
            {
                config = args[++i];
            }
            else if (i == 0 && Verbs.Contains(args[i], StringComparer.Ordinal))
            {
                verb = args[i];
            }
            else
            {
                return null;
            }
        }

        return config is null ? null : new DaemonCommandLine(verb, Path.GetFullPath(config));
    }
}
