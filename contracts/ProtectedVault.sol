// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

/// @title ProtectedVault
/// @notice Firebreak's demo vault: it holds native ETH for depositors and can be
/// contained the two ways an incident responder needs, pausing it (PAUSER_ROLE) and
/// revoking a compromised operator key (DEFAULT_ADMIN_ROLE, with `revokeRole`).
/// @dev Not audited and not meant to hold real funds.
contract ProtectedVault is AccessControl, Pausable {
    /// @notice May pause the vault. Unpausing needs DEFAULT_ADMIN_ROLE.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice Runs the vault: sets the withdrawal limit and may sweep all funds to a
    /// new address (a migration). This is the key an attacker wants.
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");

    /// @notice Balance of each depositor, in wei.
    mapping(address account => uint256) public balanceOf;
    /// @notice Largest single withdrawal in wei; zero means no limit.
    uint256 public withdrawLimit;

    event Deposited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);
    event WithdrawLimitSet(address indexed operator, uint256 limit);
    event Swept(address indexed operator, address indexed to, uint256 amount);

    error ZeroAmount();
    error ZeroAddress();
    error InsufficientBalance(uint256 balance, uint256 amount);
    error WithdrawLimitExceeded(uint256 limit, uint256 amount);
    error TransferFailed();

    constructor(address admin, address pauser, address operator) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PAUSER_ROLE, pauser);
        _grantRole(OPERATOR_ROLE, operator);
    }

    /// @notice Deposits msg.value for the sender.
    function deposit() external payable whenNotPaused {
        if (msg.value == 0) revert ZeroAmount();
        balanceOf[msg.sender] += msg.value;
        emit Deposited(msg.sender, msg.value);
    }

    /// @notice Withdraws amount wei of the sender's balance.
    function withdraw(uint256 amount) external whenNotPaused {
        if (amount == 0) revert ZeroAmount();
        uint256 limit = withdrawLimit;
        if (limit != 0 && amount > limit) revert WithdrawLimitExceeded(limit, amount);
        uint256 balance = balanceOf[msg.sender];
        if (amount > balance) revert InsufficientBalance(balance, amount);
        balanceOf[msg.sender] = balance - amount;
        emit Withdrawn(msg.sender, amount);
        _send(msg.sender, amount);
    }

    /// @notice Sets the largest single withdrawal; zero removes the limit.
    function setWithdrawLimit(uint256 limit) external onlyRole(OPERATOR_ROLE) {
        withdrawLimit = limit;
        emit WithdrawLimitSet(msg.sender, limit);
    }

    /// @notice Moves every wei the vault holds to `to`, e.g. to migrate to a new vault.
    /// Depositors' balances are not touched: whoever holds OPERATOR_ROLE can drain the
    /// vault, which is why firebreak pauses the vault and revokes that role.
    function sweep(address to) external onlyRole(OPERATOR_ROLE) whenNotPaused {
        if (to == address(0)) revert ZeroAddress();
        uint256 amount = address(this).balance;
        emit Swept(msg.sender, to, amount);
        _send(to, amount);
    }

    /// @notice Pauses deposit, withdraw and sweep.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Lifts the pause; only the admin may, so a pauser key cannot undo containment.
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    function _send(address to, uint256 amount) private {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }
}
