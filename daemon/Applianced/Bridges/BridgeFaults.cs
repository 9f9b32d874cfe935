namespace Appliance.Daemon.Bridges;

/// <summary>
/// Fault codes of the bridges' XML-RPC API as this family numbers them, the ones this peer acts on
/// (the bridge simulator answers with the same).
/// </summary>
public static class BridgeFaults
{
    public const int MethodNotSupported = 1;
    public const int DuplicateConference = 2;
    public const int NoSuchConference = 4;
    public const int NoSuchParticipant = 5;
    public const int TooManyConferences = 6;
    public const int TooManyParticipants = 7;
    public const int AuthorizationFailed = 34;
    public const int InsufficientPrivileges = 35;
    public const int MissingParameter = 101;
    public const int InvalidParameter = 102;
    public const int OperationFailed = 201;

    public static bool IsAuthentication(int code) => code is AuthorizationFailed or InsufficientPrivileges;

    public static bool IsBusy(int code) => code is TooManyConferences or TooManyParticipants;
}
