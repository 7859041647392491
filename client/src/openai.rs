//! The operator's LLM server: an OpenAI-compatible `POST {base}/chat/completions` endpoint.
//!
//! A reply is used only when it is a JSON object with a non-empty
//! `choices[0].message.content` string that fits the chain's output limit; anything else (an
//! HTTP error, a timeout, garbage) is an [`EndpointError`], and the task is skipped. A request
//! that fails before any answer (a kept-alive connection the server closed as the request went
//! out, a reset) is sent once more on a fresh connection; a timeout is not retried.

use serde_json::json;
use std::time::Duration;

/// How to ask the endpoint.
#[derive(Clone, Debug)]
pub struct EndpointConfig {
	/// Base URL, e.g. `http://127.0.0.1:8080/v1` (the request goes to `{base}/chat/completions`).
	pub base_url: String,
	/// The `model` field of the request.
	pub model: String,
	/// Sampling temperature.
	pub temperature: f32,
	/// Most tokens of the answer.
	pub max_tokens: u32,
	/// How long one request may take.
	pub timeout: Duration,
	/// Bearer token, if the server wants one (`POQ_ENDPOINT_API_KEY`).
	pub api_key: Option<String>,
	/// The system prompt per family (the query is the user message).
	pub system_prompt: Option<String>,
}

/// Why an answer could not be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointError {
	/// The request did not complete: connection refused, reset, timed out.
	Unreachable(String),
	/// The server answered with an HTTP error status.
	Status(u16),
	/// The server answered something that is not a usable completion.
	Garbage(String),
}

impl EndpointError {
	/// A short label for metrics: `unreachable`, `status`, `garbage`.
	pub fn label(&self) -> &'static str {
		match self {
			EndpointError::Unreachable(_) => "unreachable",
			EndpointError::Status(_) => "status",
			EndpointError::Garbage(_) => "garbage",
		}
	}
}

impl std::fmt::Display for EndpointError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			EndpointError::Unreachable(m) => write!(f, "endpoint unreachable: {m}"),
			EndpointError::Status(s) => write!(f, "endpoint answered HTTP {s}"),
			EndpointError::Garbage(m) => write!(f, "endpoint answered no usable completion: {m}"),
		}
	}
}

/// A client of one endpoint.
#[derive(Clone)]
pub struct Endpoint {
	config: EndpointConfig,
	http: reqwest::Client,
}

impl Endpoint {
	/// A client for `config`.
	pub fn new(config: EndpointConfig) -> anyhow::Result<Endpoint> {
		let http = reqwest::Client::builder()
			.timeout(config.timeout)
			.build()
			.map_err(|e| anyhow::anyhow!("cannot build the HTTP client: {e}"))?;
		Ok(Endpoint { config, http })
	}

	/// The configuration.
	pub fn config(&self) -> &EndpointConfig {
		&self.config
	}

	/// Asks for the answer to `query`; `max_bytes` is the chain's output limit.
	pub async fn answer(&self, query: &str, max_bytes: usize) -> Result<String, EndpointError> {
		let url = format!("{}/chat/completions", self.config.base_url.trim_end_matches('/'));
		let mut messages = Vec::new();
		if let Some(system) = &self.config.system_prompt {
			messages.push(json!({ "role": "system", "content": system }));
		}
		messages.push(json!({ "role": "user", "content": query }));
		let body = json!({
			"model": self.config.model,
			"messages": messages,
			"temperature": self.config.temperature,
			"max_tokens": self.config.max_tokens,
			"stream": false,
		});
		let send = || {
			let mut request = self.http.post(&url).json(&body);
			if let Some(key) = &self.config.api_key {
				request = request.bearer_auth(key);
			}
			request.send()
		};
		let response = match send().await {
			Ok(r) => r,
			Err(e) if !e.is_timeout() => {
				log::debug!(target: "poq-provider", "endpoint request failed ({}); sending it once more", describe(&e));
				send().await.map_err(|e| EndpointError::Unreachable(describe(&e)))?
			},
			Err(e) => return Err(EndpointError::Unreachable(describe(&e))),
		};
		let status = response.status();
		if !status.is_success() {
			return Err(EndpointError::Status(status.as_u16()));
		}
		let text = response.text().await.map_err(|e| EndpointError::Unreachable(describe(&e)))?;
		parse_completion(&text, max_bytes)
	}
}

/// The answer in a chat-completions response body.
pub fn parse_completion(body: &str, max_bytes: usize) -> Result<String, EndpointError> {
	let value: serde_json::Value =
		serde_json::from_str(body).map_err(|_| EndpointError::Garbage("not JSON".into()))?;
	let content = value
		.pointer("/choices/0/message/content")
		.and_then(|c| c.as_str())
		.ok_or_else(|| EndpointError::Garbage("no choices[0].message.content string".into()))?;
	let content = content.trim();
	if content.is_empty() {
		return Err(EndpointError::Garbage("empty content".into()));
	}
	if content.len() > max_bytes {
		return Err(EndpointError::Garbage(format!("{} bytes, more than the chain's {max_bytes}", content.len())));
	}
	Ok(content.to_string())
}

fn describe(e: &reqwest::Error) -> String {
	if e.is_timeout() {
		"timed out".into()
	} else if e.is_connect() {
		"connection failed".into()
	} else {
		crate::chain::one_line(&e.to_string())
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::{
		io::{Read, Write},
		net::TcpListener,
	};

	/// A server that drops its first connection after reading the request (as one closing a
	/// kept-alive connection does) and answers the next with a completion; returns its base URL.
	fn flaky_server() -> String {
		let listener = TcpListener::bind("127.0.0.1:0").unwrap();
		let url = format!("http://{}/v1", listener.local_addr().unwrap());
		std::thread::spawn(move || {
			for (n, stream) in listener.incoming().enumerate() {
				let mut stream = stream.unwrap();
				let mut buf = [0u8; 4096];
				let _ = stream.read(&mut buf);
				if n == 0 {
					drop(stream);
					continue;
				}
				let body = r#"{"choices":[{"message":{"role":"assistant","content":"Paris."}}]}"#;
				let _ = write!(stream, "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
				return;
			}
		});
		url
	}

	fn config(base_url: String) -> EndpointConfig {
		EndpointConfig {
			base_url,
			model: "m".into(),
			temperature: 0.0,
			max_tokens: 16,
			timeout: Duration::from_secs(10),
			api_key: None,
			system_prompt: None,
		}
	}

	#[tokio::test]
	async fn a_connection_dropped_before_the_answer_is_retried_once() {
		let endpoint = Endpoint::new(config(flaky_server())).unwrap();
		assert_eq!(endpoint.answer("What is the capital of France?", 100).await, Ok("Paris.".into()));
	}

	#[tokio::test]
	async fn a_closed_port_is_unreachable_after_the_retry() {
		let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
		let endpoint = Endpoint::new(config(format!("http://127.0.0.1:{port}/v1"))).unwrap();
		let err = endpoint.answer("q", 100).await.unwrap_err();
		assert_eq!(err.label(), "unreachable", "{err}");
	}

	#[test]
	fn completions_are_parsed_and_garbage_refused() {
		let ok = r#"{"choices":[{"message":{"role":"assistant","content":"  Paris. "}}]}"#;
		assert_eq!(parse_completion(ok, 100), Ok("Paris.".into()));
		for bad in ["<html>", "{}", r#"{"choices":[]}"#, r#"{"choices":[{"message":{"content":"  "}}]}"#,
			r#"{"choices":[{"message":{"content":7}}]}"#] {
			assert_eq!(parse_completion(bad, 100).unwrap_err().label(), "garbage", "{bad}");
		}
		assert_eq!(parse_completion(ok, 3).unwrap_err().label(), "garbage");
	}
}
