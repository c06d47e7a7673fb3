using System.Net;
using System.Text;
using ImpVpn.Core.WireGuard.Commands;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.Core.WireGuard.Links.Linux;

/// <summary>
/// A full tunnel's DNS on Linux. Where systemd-resolved manages resolv.conf (the file is its symlink), the tunnel's
/// interface gets the resolvers and the catch-all routing domain <c>~.</c> (resolvectl), which resolved drops with the
/// interface or on <c>resolvectl revert</c>. Otherwise resolv.conf is rewritten in place, never replaced by rename:
/// it may be a bind mount (<c>ip netns exec</c> mounts <c>/etc/netns/NS/resolv.conf</c> over it, which is also where a
/// named namespace's file lives), and a rename over a mount point fails. Its <c>search</c> and <c>options</c> lines are
/// kept; the original text goes into the plan (the buyer's owner-only store) before the file changes, and is written
/// back on undo only over ImpVpn's own text: a file someone else rewrote meanwhile is left as they wrote it.
/// </summary>
/// <param name="resolvConfPath">The file; by default the context's (<c>/etc/resolv.conf</c>, or the namespace's).</param>
/// <param name="resolvedManages">Whether systemd-resolved manages it; by default, asked of the file and PATH.</param>
internal sealed class LinuxTunnelDns(ICommandRunner runner, LinuxNetworkContext context, string? resolvConfPath = null, Func<bool>? resolvedManages = null)
{
    private const string Resolvectl = "resolvectl";

    public string ResolvConfPath { get; } = resolvConfPath ?? (context.Namespace is null ? "/etc/resolv.conf" : $"/etc/netns/{context.Namespace}/resolv.conf");

    public TunnelDnsChange Plan(string interfaceName, IReadOnlyList<string> resolvers)
    {
        if ((resolvedManages ?? ResolvedManagesDefault)())
        {
            return new TunnelDnsChange(TunnelDnsMethod.Resolved);
        }

        var original = File.Exists(ResolvConfPath) ? File.ReadAllText(ResolvConfPath) : null;
        return new TunnelDnsChange(TunnelDnsMethod.ResolvConf, ResolvConfPath, original, Render(interfaceName, resolvers, original));
    }

    public async Task ApplyAsync(FullTunnelPlan plan, CancellationToken cancellationToken)
    {
        switch (plan.Dns)
        {
            case { Method: TunnelDnsMethod.Resolved }:
                await ResolvectlAsync(["dns", plan.InterfaceName, .. plan.Resolvers], cancellationToken).ConfigureAwait(false);
                await ResolvectlAsync(["domain", plan.InterfaceName, "~."], cancellationToken).ConfigureAwait(false);
                break;
            case { Method: TunnelDnsMethod.ResolvConf, FilePath: { } path, WrittenText: { } text }:
                WriteInPlace(path, text);
                break;
        }
    }

    /// <summary>Undoes the change; null when done (or nothing was left to do), else why not.</summary>
    public async Task<string?> UndoAsync(FullTunnelPlan plan, CancellationToken cancellationToken)
    {
        switch (plan.Dns)
        {
            case { Method: TunnelDnsMethod.Resolved }:
                // Resolved forgets a link's settings when the link goes; the interface is usually gone already.
                var (file, arguments) = context.Wrap(Resolvectl, "revert", plan.InterfaceName);
                var result = await runner.RunAsync(file, arguments, cancellationToken).ConfigureAwait(false);
                return result.ExitCode == 0 || !InterfaceName.ExistsHere(plan.InterfaceName).GetValueOrDefault(true) || PolicyRoutingSteps.AlreadyGone(result.Error)
                    ? null
                    : $"resolvectl revert {plan.InterfaceName}: {result.Error.Trim()}";
            case { Method: TunnelDnsMethod.ResolvConf, FilePath: { } path, WrittenText: { } written }:
                var current = File.Exists(path) ? File.ReadAllText(path) : null;
                if (current != written)
                {
                    // Already restored (an undo that ran before), or rewritten by someone else: theirs stands.
                    return null;
                }

                if (plan.Dns.OriginalText is { } original)
                {
                    WriteInPlace(path, original);
                }
                else
                {
                    File.Delete(path);
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>The file ImpVpn writes: the resolvers, and the original's search and options lines.</summary>
    internal static string Render(string interfaceName, IReadOnlyList<string> resolvers, string? original)
    {
        var text = new StringBuilder();
        text.Append("# Written by ImpVpn for the full tunnel on ").Append(interfaceName)
            .Append("; the previous file comes back when the tunnel is removed.\n");
        foreach (var resolver in resolvers.Select(IPAddress.Parse))
        {
            text.Append("nameserver ").Append(resolver).Append('\n');
        }

        foreach (var line in (original ?? string.Empty).Split('\n'))
        {
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("search ", StringComparison.Ordinal) || trimmed.StartsWith("options ", StringComparison.Ordinal))
            {
                text.Append(line.TrimEnd('\r')).Append('\n');
            }
        }

        return text.ToString();
    }

    private static void WriteInPlace(string path, string text)
    {
        // FileMode.Create truncates the existing file (same inode, so a bind mount stays mounted) or creates it.
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite);
        var bytes = new UTF8Encoding(false).GetBytes(text);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }

    private bool ResolvedManagesDefault()
    {
        if (context.Namespace is not null || SystemCommandLocator.Find(Resolvectl) is null)
        {
            return false;
        }

        var info = new FileInfo(ResolvConfPath);
        return info.LinkTarget is { } target && target.Contains("/run/systemd/resolve/", StringComparison.Ordinal);
    }

    private Task<string> ResolvectlAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var (file, wrapped) = context.Wrap(Resolvectl, arguments);
        return runner.RunCheckedAsync(file, wrapped, cancellationToken);
    }
}
