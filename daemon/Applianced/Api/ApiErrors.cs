namespace Appliance.Daemon.Api;

/// <summary>Turns exceptions from the daemon's parts into API errors with the right kind.</summary>
internal static class ApiErrors
{
    public static ApiException Translate(Exception e) => e switch
    {
        ApiException api => api,
        Appliance.Hal.HostServices.HostServiceUnavailableException u => new ApiException(ApiException.Conflict, $"not available here: {u.Message}"),
        Store.StaleReadException s => new ApiException(ApiException.Conflict,
            $"what this change depends on ({s.Prefix}) changed {Node.ConfigStore.CheckedAttempts} times while it was checked; nothing was stored: try again"),
        Config.ConfigValidationException v => new ApiException(ApiException.Validation, v.Error.Message, v.Error.Field, v.Error.Value, v.Error.Rule),
        _ => new ApiException(ApiException.Internal, $"internal error: {e.Message}"),
    };
}
