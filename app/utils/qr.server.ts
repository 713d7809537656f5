import QRCode from "qrcode";

/** An SVG QR code of `text` (error correction M), rendered on the server for the printed report. */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: "svg", errorCorrectionLevel: "M", margin: 1 });
}
