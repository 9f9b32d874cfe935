namespace Appliance.Sip;

/// <summary>Default reason phrases of the status codes this stack sends or synthesizes.</summary>
public static class SipStatus
{
    public static string Reason(int code) => code switch
    {
        100 => "Trying",
        180 => "Ringing",
        183 => "Session Progress",
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        420 => "Bad Extension",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        483 => "Too Many Hops",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        500 => "Server Internal Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        504 => "Server Time-out",
        _ => code switch { < 200 => "Progress", < 300 => "OK", < 400 => "Redirect", < 500 => "Client Error", < 600 => "Server Error", _ => "Failure" },
    };
}
