using System.Text;

namespace ImpVpn.Core.Daemon;

/// <summary>The daemon's command line as a service manager keeps it (host, impvpnd.dll, --config PATH), read back
/// for Get-VpnDaemon: systemd's quoting (backslash escapes) or Windows' (double quotes only; a backslash is a
/// path separator).</summary>
public static class ServiceCommandLine
{
    public static IReadOnlyList<string> Split(string line, bool backslashEscapes)
    {
        ArgumentNullException.ThrowIfNull(line);
        var words = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (backslashEscapes && c == '\\' && i + 1 < line.Length)
            {
                current.Append(line[++i]);
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (char.IsWhiteSpace(c) && !quoted)
            {
                if (current.Length > 0)
                {
                    words.Add(current.ToString());
                    current.Clear();
                }
            }
            else
            {
                current.Append(c);
            }
        }

        if (current.Length > 0)
        {
            words.Add(current.ToString());
        }

        return words;
    }

    /// <summary>impvpnd.dll (the word after the host) and the word after --config; null for what is not there.</summary>
    public static (string? DaemonPath, string? ConfigPath) DaemonAndConfig(IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        var config = words.ToList().IndexOf("--config");
        return (words.Count > 1 ? words[1] : null, config >= 0 && config + 1 < words.Count ? words[config + 1] : null);
    }
}
