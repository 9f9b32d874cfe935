namespace Appliance.Daemon.Api;

/// <summary>Turns exceptions from the daemon's parts into API errors with the right kind.</summary>
internal static class ApiErrors
{
    public static ApiException Translate(Exception e) => e switch
    {
        ApiException api => api,
        _ => new ApiException(ApiException.Internal, $"internal error: {e.Message}"),
    };
}
