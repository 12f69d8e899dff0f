//! HTTP as the apiserver speaks it.

/// The reason phrase of an HTTP status, as Kelemetry suffixes failed spans.
pub fn status_text(code: i64) -> &'static str {
    match code {
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        410 => "Gone",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// A parameter of a request URI's query, percent-decoded (`+` is a space, as Go's
/// `url.ParseQuery` reads it): `fieldManager` of `/apis/apps/v1/...?fieldManager=kubectl`.
/// The first one when it repeats; `None` when absent or empty.
pub fn query_param(uri: &str, name: &str) -> Option<String> {
    let (_, query) = uri.split_once('?')?;
    let query = query.split('#').next().unwrap_or_default();
    let value = query.split('&').find_map(|pair| match pair.split_once('=') {
        Some((key, value)) if key == name => Some(value),
        _ => None,
    })?;
    let bytes = value.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let hex = |i: usize| bytes.get(i).and_then(|b| (*b as char).to_digit(16));
        match bytes[at] {
            b'%' if hex(at + 1).is_some() && hex(at + 2).is_some() => {
                decoded.push((hex(at + 1)? * 16 + hex(at + 2)?) as u8);
                at += 3;
            }
            b'+' => {
                decoded.push(b' ');
                at += 1;
            }
            byte => {
                decoded.push(byte);
                at += 1;
            }
        }
    }
    Some(String::from_utf8_lossy(&decoded).into_owned()).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_decode_as_go_does() {
        let uri = "/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=kubectl-client-side-apply&fieldValidation=Strict";
        assert_eq!(query_param(uri, "fieldManager").as_deref(), Some("kubectl-client-side-apply"));
        assert_eq!(
            query_param("/api/v1/pods?a=1&fieldManager=my%20op+x%2Fy", "fieldManager").as_deref(),
            Some("my op x/y")
        );
        assert_eq!(query_param("/api/v1/pods?fieldManager=", "fieldManager"), None);
        assert_eq!(query_param("/api/v1/pods?xfieldManager=a", "fieldManager"), None);
        assert_eq!(query_param("/api/v1/pods", "fieldManager"), None);
        assert_eq!(query_param("/api/v1/pods?fieldManager=%zz%4", "fieldManager").as_deref(), Some("%zz%4"));
    }
}
