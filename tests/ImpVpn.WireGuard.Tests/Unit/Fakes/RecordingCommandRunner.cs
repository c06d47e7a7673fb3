using ImpVpn.Core.WireGuard.Commands;
using ImpVpn.Core.WireGuard.Types;

namespace ImpVpn.WireGuard.Tests.Unit;

/// <summary>Records every command a backend would run and answers from a script, so backends are tested on
/// exactly what they would execute on a machine without that platform.</summary>
internal sealed class RecordingCommandRunner : ICommandRunner
{
    private readonly Func<string, IReadOnlyList<string>, CommandResult> _answer;

    public RecordingCommandRunner(Func<string, IReadOnlyList<string>, CommandResult>? answer = null)
    {
        _answer = answer ?? ((_, _) => new CommandResult(0, string.Empty, string.Empty));
    }

    public List<string> Commands { get; } = [];

    /// <summary>Files that existed when a command ran, with their content at that moment (for key files).</summary>
    public Dictionary<string, string> FilesSeen { get; } = [];

    /// <summary>What each command was given on its standard input, in order (commands given none are not listed).</summary>
    public List<string> Inputs { get; } = [];

    public Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, string standardInput, CancellationToken cancellationToken)
    {
        Inputs.Add(standardInput);
        return RunAsync(file, arguments, cancellationToken);
    }

    public Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        Commands.Add(file + " " + string.Join(' ', arguments));
        foreach (var argument in arguments.Where(File.Exists))
        {
            FilesSeen[argument] = File.ReadAllText(argument);
        }

        return Task.FromResult(_answer(file, arguments));
    }
}
