using Microsoft.Extensions.Logging;

namespace ImpVpn.Daemon;

/// <summary>The API's log lines: ids and outcomes, never the token.</summary>
internal static partial class ApiLog
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "API: {What} {Id} for {PubKey} started.")]
    public static partial void Started(ILogger logger, string what, string id, string pubKey);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "API: {What} {Id} ended: {Kind}.")]
    public static partial void Finished(ILogger logger, string what, string id, string kind);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "API: the event of {Id} could not be kept in the store.")]
    public static partial void EventNotKept(ILogger logger, string id, Exception exception);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "API listening on {Scheme}://{Endpoint} ({Protocol}); token in {TokenPath}.")]
    public static partial void Listening(ILogger logger, string scheme, string endpoint, string protocol, string tokenPath);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "API: expiries could not be read: {Reason}")]
    public static partial void ExpiryWatchFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 106, Level = LogLevel.Error, Message = "API: what {Id} spent could not be recorded in the budget's ledger; its whole reservation stays counted.")]
    public static partial void BudgetNotSettled(ILogger logger, string id, Exception exception);

    [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "API: {Path} is not a readable contract and gets no expiry event: {Reason}")]
    public static partial void ExpiryContractUnreadable(ILogger logger, string path, string reason);
}
