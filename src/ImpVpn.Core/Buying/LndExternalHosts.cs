using System.Globalization;
using System.Text;

namespace ImpVpn.Core.Buying;

/// <summary>
/// The LND setting that announces a port-forward tunnel's public host:port to the network, <c>externalhosts</c> in
/// lnd.conf's <c>[Application Options]</c> section, and writing it there. LND reads lnd.conf only when it starts.
/// </summary>
/// <remarks>
/// The line ImpVpn writes follows a comment of its own (<see cref="Marker"/>), so writing again replaces that line
/// (a new contract's port) and never doubles it, and lines the operator wrote stay as they are. A copy of the file
/// as it was is kept beside it (<c>lnd.conf.impvpn-TIME.bak</c>, same mode) before anything changes; the file is
/// rewritten in place, so it keeps its owner and mode.
/// </remarks>
public static class LndExternalHosts
{
    public const string Section = "[Application Options]";

    public const string Marker = "; ImpVpn: this node's forwarded port (written by ImpVpn; replaced when it writes again)";

    /// <summary>The line, e.g. <c>externalhosts=198.51.100.1:40000</c>.</summary>
    public static string Setting(string forwardedEndpoint) => "externalhosts=" + forwardedEndpoint;

    /// <summary>Writes <see cref="Setting"/> into <paramref name="lndConfPath"/>; false when it was there already
    /// (nothing written, no backup). The backup's path is given in <paramref name="backupPath"/> when one was made.</summary>
    /// <exception cref="FileNotFoundException">No file there (LND's own file is changed, never created).</exception>
    public static bool Apply(string lndConfPath, string forwardedEndpoint, DateTimeOffset now, out string? backupPath)
    {
        ArgumentNullException.ThrowIfNull(lndConfPath);
        ArgumentNullException.ThrowIfNull(forwardedEndpoint);
        backupPath = null;
        if (forwardedEndpoint.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is ';' or '#'))
        {
            throw new ArgumentException($"'{forwardedEndpoint}' cannot be written into lnd.conf.", nameof(forwardedEndpoint));
        }

        if (!File.Exists(lndConfPath))
        {
            throw new FileNotFoundException($"{lndConfPath} does not exist: give the path of your node's lnd.conf.", lndConfPath);
        }

        var original = File.ReadAllText(lndConfPath);
        var updated = WithSetting(original, Setting(forwardedEndpoint));
        if (updated == original)
        {
            return false;
        }

        backupPath = lndConfPath + ".impvpn-" + now.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + ".bak";
        File.Copy(lndConfPath, backupPath, overwrite: true);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(backupPath, File.GetUnixFileMode(lndConfPath));
        }

        // In place: the inode, owner and mode stay LND's.
        File.WriteAllText(lndConfPath, updated, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return true;
    }

    /// <summary>The file's text with <paramref name="setting"/> in the section: replacing the line after ImpVpn's
    /// marker, or added (with the marker) right after the section's header, or in a new section at the end.</summary>
    public static string WithSetting(string text, string setting)
    {
        ArgumentNullException.ThrowIfNull(text);
        var newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var header = lines.FindIndex(l => l.Trim().Equals(Section, StringComparison.OrdinalIgnoreCase));
        if (header < 0)
        {
            var ending = text.Length == 0 || text.EndsWith('\n') ? string.Empty : newline;
            return text + ending + (text.Length == 0 ? string.Empty : newline) + Section + newline + Marker + newline + setting + newline;
        }

        var end = lines.FindIndex(header + 1, l => l.TrimStart().StartsWith('['));
        end = end < 0 ? lines.Count : end;
        var marker = lines.FindIndex(header + 1, end - header - 1, l => l.Trim() == Marker);
        if (marker >= 0 && marker + 1 < end && lines[marker + 1].Trim().StartsWith("externalhosts", StringComparison.OrdinalIgnoreCase))
        {
            lines[marker + 1] = setting;
        }
        else if (marker >= 0)
        {
            lines.Insert(marker + 1, setting);
        }
        else
        {
            lines.InsertRange(header + 1, [Marker, setting]);
        }

        return string.Join(newline, lines);
    }
}
