namespace Appliance.Hal.Lcd;

/// <summary>The CFA-635 commands this driver uses (bits 5-0 of the type byte).</summary>
public enum Cfa635Command : byte
{
    /// <summary>Echoes 0..16 bytes; used as handshake and keep-alive.</summary>
    Ping = 0,
    /// <summary>Returns the hardware/firmware version text.</summary>
    GetVersion = 1,
    /// <summary>Blanks the whole display.</summary>
    Clear = 6,
    /// <summary>col, row (0-based).</summary>
    SetCursorPosition = 11,
    /// <summary>0 off, 1 blinking block, 2 underline, 4 inverting block.</summary>
    SetCursorStyle = 12,
    /// <summary>0..254.</summary>
    SetContrast = 13,
    /// <summary>LCD and keypad backlight 0..100.</summary>
    SetBacklight = 14,
    /// <summary>press mask, release mask.</summary>
    ConfigureKeyReporting = 23,
    /// <summary>Polled keypad state: down, pressed since, released since.</summary>
    ReadKeypad = 24,
    /// <summary>col, row, text (up to 20 characters).</summary>
    SendData = 31,
    /// <summary>LED index, value 0..100.</summary>
    SetGpio = 34,
}

/// <summary>Packet type bits (7-6 of byte 0) and fixed sizes of the CFA-635 protocol.</summary>
public static class Cfa635Protocol
{
    /// <summary>Host to display command.</summary>
    public const byte CommandType = 0x00;
    /// <summary>Normal response: 0x40 | command.</summary>
    public const byte ResponseType = 0x40;
    /// <summary>Report from the display; 0x80 is key activity.</summary>
    public const byte ReportType = 0x80;
    /// <summary>Error response: 0xC0 | command.</summary>
    public const byte ErrorType = 0xC0;
    /// <summary>The key activity report.</summary>
    public const byte KeyReport = 0x80;
    /// <summary>Largest data length a packet may carry.</summary>
    public const int MaxData = 22;
    /// <summary>Display columns.</summary>
    public const int Columns = 20;
    /// <summary>Display rows.</summary>
    public const int Rows = 4;

    /// <summary>Key mask bits of ConfigureKeyReporting and ReadKeypad (datasheet order, not the report codes).</summary>
    public const byte MaskUp = 0x01, MaskEnter = 0x02, MaskExit = 0x04, MaskLeft = 0x08, MaskRight = 0x10, MaskDown = 0x20;
    /// <summary>All six keys.</summary>
    public const byte MaskAll = 0x3F;
}
