namespace Appliance.Hal.Lcd;

/// <summary>The six keys of the front panel; values are the CFA-635 key-press report codes.</summary>
public enum LcdKey : byte
{
    /// <summary>Up arrow.</summary>
    Up = 1,
    /// <summary>Down arrow.</summary>
    Down = 2,
    /// <summary>Left arrow.</summary>
    Left = 3,
    /// <summary>Right arrow.</summary>
    Right = 4,
    /// <summary>Enter (tick).</summary>
    Enter = 5,
    /// <summary>Exit / cancel (cross).</summary>
    Exit = 6,
}

/// <summary>Key report codes: presses 1..6, releases 7..12 in the same order.</summary>
public static class LcdKeyCodes
{
    /// <summary>Offset from a press code to its release code.</summary>
    public const byte ReleaseOffset = 6;

    /// <summary>The key a press report names, or null for releases and unknown codes.</summary>
    public static LcdKey? FromPressCode(byte code) => code is >= 1 and <= 6 ? (LcdKey)code : null;

    /// <summary>The bit of this key in the key-reporting masks.</summary>
    public static byte Mask(LcdKey key) => key switch
    {
        LcdKey.Up => Cfa635Protocol.MaskUp,
        LcdKey.Down => Cfa635Protocol.MaskDown,
        LcdKey.Left => Cfa635Protocol.MaskLeft,
        LcdKey.Right => Cfa635Protocol.MaskRight,
        LcdKey.Enter => Cfa635Protocol.MaskEnter,
        LcdKey.Exit => Cfa635Protocol.MaskExit,
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "not a front-panel key"),
    };
}
