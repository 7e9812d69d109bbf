//! One request from the shell: sign a request given as name-value pairs (CopyImage, or
//! the call an `Action=` pair names) and send it, exactly as the official clients would.
//!
//! Owns what `copyimage-conformance call` does beyond parsing: a world holding only the
//! caller's key (so the request is signed with the credentials given), the target's
//! time when it tells it (a frozen or shifted emulator clock), and sending through the
//! endpoint's client. It judges nothing: the reply is returned as it came.

use super::HarnessError;
use super::endpoint::Endpoint;
use crate::case::{Case, ParamValue, Tamper};
use crate::model::{AccessKey, Account, HttpReply, Timestamp, World};
use crate::rules::protocol::Action;
use crate::wire::sign::{Credentials, Signing, fresh_nonce};

/// Parses `Name=Value` pairs; the value may be empty or hold `=`.
pub fn pairs(args: &[String]) -> Result<Vec<(String, ParamValue)>, HarnessError> {
    args.iter()
        .map(|p| {
            p.split_once('=')
                .map(|(n, v)| (n.to_owned(), ParamValue::text(v)))
                .ok_or_else(|| HarnessError::Config(format!("`{p}` is not Name=Value")))
        })
        .collect()
}

/// Signs `params` with `credentials` in `signing` mode and sends them to `target`.
pub async fn call(
    target: &Endpoint,
    signing: Signing,
    credentials: &Credentials,
    params: Vec<(String, ParamValue)>,
) -> Result<HttpReply, HarnessError> {
    // Sign with the target's time when it tells it.
    let now = match target.control {
        true => target.read_world().await.map(|(_, now)| now).unwrap_or_else(|_| Timestamp::now_utc()),
        false => Timestamp::now_utc(),
    };
    let mut world = World::default_fixture();
    world.accounts = vec![Account {
        id: "caller".into(),
        can_copy_images: true,
        access_keys: vec![AccessKey {
            id: credentials.key_id.clone(),
            secret: credentials.secret.clone(),
            enabled: true,
        }],
        standalone_snapshots: Default::default(),
    }];
    // `Action=...` among the pairs names the call (CopyImage when none); a value no
    // call has is sent as given.
    let (actions, params): (Vec<_>, Vec<_>) = params.into_iter().partition(|(n, _)| n == "Action");
    let mut case = Case::new(signing, &[]);
    case.key = credentials.key_id.clone();
    case.params = params;
    if let Some((_, value)) = actions.last() {
        match Action::from_value(&value.0) {
            Some(action) => case.action = action,
            None => case.tampers.push(Tamper::Set { name: "Action".into(), value: value.clone() }),
        }
    }
    let built = case.build(&world, now, &target.host, &fresh_nonce());
    target
        .send(&built.request)
        .await
        .map_err(|e| HarnessError::Endpoint { endpoint: target.base.clone(), reason: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_split_at_the_first_equals_sign() {
        let p = pairs(&["A=b=c".into(), "E=".into()]).unwrap();
        assert_eq!(p, vec![("A".into(), ParamValue::text("b=c")), ("E".into(), ParamValue::text(""))]);
        let e = pairs(&["oops".into()]).unwrap_err().to_string();
        assert!(e.contains("`oops` is not Name=Value"), "{e}");
    }
}
